#include "compiler/codegen/perf_map.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>

#include "llvm/ExecutionEngine/JITLink/JITLink.h"
#include "llvm/ExecutionEngine/Orc/ObjectLinkingLayer.h"

namespace graphc::codegen {
namespace {

// Appends each linked graph's defined callable symbols to the map once
// their final addresses are known (after fixups).
class PerfMapPlugin : public llvm::orc::ObjectLinkingLayer::Plugin {
 public:
  void modifyPassConfig(llvm::orc::MaterializationResponsibility&, llvm::jitlink::LinkGraph&,
                        llvm::jitlink::PassConfiguration& config) override {
    config.PostFixupPasses.push_back([](llvm::jitlink::LinkGraph& graph) {
      static std::mutex mutex;
      const std::lock_guard<std::mutex> lock(mutex);
      const std::string path = "/tmp/perf-" + std::to_string(getpid()) + ".map";
      std::FILE* map = std::fopen(path.c_str(), "a");
      if (map == nullptr) return llvm::Error::success();  // a profiling aid: never fail a link
      for (llvm::jitlink::Symbol* symbol : graph.defined_symbols()) {
        if (!symbol->hasName() || !symbol->isCallable() || symbol->getSize() == 0) continue;
        std::fprintf(map, "%llx %llx %s\n", static_cast<unsigned long long>(symbol->getAddress().getValue()),
                     static_cast<unsigned long long>(symbol->getSize()), symbol->getName().str().c_str());
      }
      std::fclose(map);
      return llvm::Error::success();
    });
  }
  llvm::Error notifyFailed(llvm::orc::MaterializationResponsibility&) override { return llvm::Error::success(); }
  llvm::Error notifyRemovingResources(llvm::orc::JITDylib&, llvm::orc::ResourceKey) override {
    return llvm::Error::success();
  }
  void notifyTransferringResources(llvm::orc::JITDylib&, llvm::orc::ResourceKey, llvm::orc::ResourceKey) override {}
};

}  // namespace

void MaybeWritePerfMap(llvm::orc::LLJIT& jit) {
  if (std::getenv("GRAPHC_PERF_MAP") == nullptr) return;
  if (auto* layer = llvm::dyn_cast<llvm::orc::ObjectLinkingLayer>(&jit.getObjLinkingLayer())) {
    layer->addPlugin(std::make_unique<PerfMapPlugin>());
  }
}

}  // namespace graphc::codegen
