// nn/module.h: recursive variable collection, hierarchical paths, name
// checks, and save_weights / load_weights round trips.
#include "nn/module.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <unistd.h>

#include "nn/layers.h"
#include "nn/nn.h"  // the umbrella header compiles on its own

namespace graphc::nn {
namespace {

// A hand-written module: one trainable and one frozen variable of its own,
// and a child holding one more.
class Leaf : public Module {
 public:
  explicit Leaf(float v) { w = register_variable("w", Variable(constant({v}), "w")); }
  std::optional<Variable> w;
};

class Block : public Module {
 public:
  Block() {
    scale = register_variable("scale", Variable(constant({1.f, 2.f}), "scale"));
    step = register_variable("step", Variable(constant(0, int64), "step", /*trainable=*/false));
    leaf = register_module("leaf", std::make_shared<Leaf>(5.f));
  }
  std::optional<Variable> scale, step;
  std::shared_ptr<Leaf> leaf;

  // Exposed for the name-check tests.
  using Module::register_module;
  using Module::register_variable;
};

std::vector<std::string> Paths(const Module& m) {
  std::vector<std::string> out;
  for (const auto& [path, v] : m.named_variables()) out.push_back(path);
  return out;
}

TEST(Module, NamedVariablesAreOwnThenChildrenWithDottedPaths) {
  Block block;
  EXPECT_EQ(Paths(block), (std::vector<std::string>{"scale", "step", "leaf.w"}));
  const std::vector<Variable> all = block.variables();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_TRUE(all[0] == *block.scale);
  EXPECT_TRUE(all[2] == *block.leaf->w);
  const std::vector<Variable> trainable = block.trainable_variables();
  ASSERT_EQ(trainable.size(), 2u);  // not the frozen step
  EXPECT_TRUE(trainable[0] == *block.scale);
  EXPECT_TRUE(trainable[1] == *block.leaf->w);
  ASSERT_EQ(block.children().size(), 1u);
  EXPECT_EQ(block.children()[0].first, "leaf");
}

TEST(Module, NestedPathsAreStableAcrossInstances) {
  class Outer : public Module {
   public:
    Outer() {
      register_module("encoder", std::make_shared<Block>());
      register_module("head", std::make_shared<Leaf>(1.f));
    }
  };
  Outer a, b;
  const std::vector<std::string> expected{"encoder.scale", "encoder.step", "encoder.leaf.w", "head.w"};
  EXPECT_EQ(Paths(a), expected);
  EXPECT_EQ(Paths(b), expected);
  EXPECT_FALSE(a.variables()[0] == b.variables()[0]);  // distinct variables, same paths
}

TEST(Module, OwnVariablesComeFirstAndASharedChildIsListedOnce) {
  Block block;
  block.register_module("again", block.leaf);  // the same Leaf under a second name
  block.register_variable("extra", Variable(constant({0.f}), "extra"));  // after the child
  EXPECT_EQ(Paths(block), (std::vector<std::string>{"scale", "step", "extra", "leaf.w"}));
  EXPECT_THROW(block.register_variable("alias", *block.scale), Error);  // one variable, two names
}

TEST(Module, RejectsBadAndDuplicateNames) {
  Block block;
  for (const char* bad : {"", ".a", "a.", "a..b", "a b", "a/b"}) {
    EXPECT_THROW(block.register_variable(bad, Variable(constant({0.f}))), Error) << bad;
  }
  EXPECT_NO_THROW(block.register_variable("layers.0_x", Variable(constant({0.f}))));
  try {
    block.register_variable("leaf", Variable(constant({0.f})));
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("already used by a child module"), std::string::npos) << e.what();
  }
  EXPECT_THROW(block.register_module("scale", std::make_shared<Leaf>(0.f)), Error);
  EXPECT_THROW(block.register_module("null", std::shared_ptr<Leaf>()), Error);
}

// A file in the temp dir, removed at the end of the test.
class TempFile {
 public:
  explicit TempFile(const std::string& stem)
      : path_(std::filesystem::temp_directory_path() /
              (stem + "_" + std::to_string(::getpid()) + ".safetensors")) {}
  ~TempFile() { std::filesystem::remove(path_); }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

TEST(Module, SaveWeightsLoadsIntoAnotherInstanceBuiltTheSameWay) {
  TempFile file("graphc_module_round_trip");
  const Tensor x = constant({{1.f, -2.f, 0.5f}, {0.f, 3.f, -1.f}});
  MLP a({4}, 2);
  MLP b({4}, 2);
  const std::vector<float> a_out = a(x).to_vector<float>();
  b(x);  // builds b with other random weights
  ASSERT_NE(b(x).to_vector<float>(), a_out);
  a.save_weights(file.path());
  b.load_weights(file.path());
  EXPECT_EQ(b(x).to_vector<float>(), a_out);
  for (size_t i = 0; i < a.variables().size(); ++i) {
    EXPECT_EQ(a.variables()[i].value().to_vector<float>(), b.variables()[i].value().to_vector<float>());
  }
}

// Sequential::build creates the variables without data, so a fresh model
// can load weights before its first call.
TEST(Module, BuildThenLoadWeights) {
  TempFile file("graphc_module_build");
  MLP saved({4}, 2);
  const Tensor x = constant({{1.f, 2.f, 3.f}});
  const std::vector<float> want = saved(x).to_vector<float>();
  saved.save_weights(file.path());
  MLP fresh({4}, 2);
  EXPECT_TRUE(fresh.variables().empty());
  fresh.build(Shape({kDynamic, 3}));
  ASSERT_EQ(fresh.variables().size(), 4u);
  EXPECT_EQ(fresh.variables()[0].shape(), Shape({3, 4}));
  fresh.load_weights(file.path());
  EXPECT_EQ(fresh(x).to_vector<float>(), want);
  MLP mismatched({4}, 2);
  mismatched.build(Shape({kDynamic, 5}));  // kernel [5, 4]: not the saved [3, 4]
  EXPECT_THROW(mismatched.load_weights(file.path()), Error);
}

TEST(Module, LoadWeightsErrorsBeforeBuildAndOnAMismatchedModel) {
  TempFile file("graphc_module_mismatch");
  MLP saved({4}, 2);
  saved(constant({{1.f, 2.f, 3.f}}));
  saved.save_weights(file.path());

  MLP unbuilt({4}, 2);
  try {
    unbuilt.load_weights(file.path());
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no variables yet"), std::string::npos) << e.what();
  }
  MLP wider({5}, 2);  // layers.0.kernel is [3, 5], not [3, 4]
  wider(constant({{1.f, 2.f, 3.f}}));
  EXPECT_THROW(wider.load_weights(file.path()), Error);
  MLP deeper({4, 4}, 2);  // layers.2.* are not in the file
  deeper(constant({{1.f, 2.f, 3.f}}));
  EXPECT_THROW(deeper.load_weights(file.path()), Error);
}

}  // namespace
}  // namespace graphc::nn
