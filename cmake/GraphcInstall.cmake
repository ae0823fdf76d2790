# Installing graphc and exporting it as a CMake package (issue 8), included
# at the end of the top-level CMakeLists.txt:
#
#   cmake --install build --prefix /opt/graphc
#
# installs the libraries, the `graphc` tool, the headers and
# lib/cmake/graphc/, so that another project can say
#
#   find_package(graphc REQUIRED COMPONENTS runtime)   # or compiler, nn, tool
#   target_link_libraries(app PRIVATE graphc::runtime)
#
# Headers keep the paths they have in this source tree, under
# include/graphc/: "runtime/kernel_abi.h", "ir/shape.h", "nn/nn.h", and the
# public API as <graphc/graphc.h> (include/graphc/graphc/graphc.h). That one
# folder is every exported target's include directory, as include/eigen3 is
# Eigen's; nothing lands directly in include/.
#
# Three export sets, so that a program embedding a compiled model needs
# nothing but Threads: graphcRuntimeTargets (graphc::runtime),
# graphcCompilerTargets (graphc::ir, graphc::passes, graphc::compiler,
# graphc::nn: Abseil, Eigen and LLVM 19 are public dependencies) and
# graphcToolTargets (graphc::graphc, the executable).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(GRAPHC_INSTALL_INCLUDEDIR ${CMAKE_INSTALL_INCLUDEDIR}/graphc)
set(GRAPHC_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/graphc)

# graphc::runtime, graphc::compiler, ... rather than graphc::graphc_runtime.
set_target_properties(graphc_runtime PROPERTIES EXPORT_NAME runtime)
set_target_properties(graphc_ir PROPERTIES EXPORT_NAME ir)
set_target_properties(graphc_passes PROPERTIES EXPORT_NAME passes)
set_target_properties(graphc_compiler PROPERTIES EXPORT_NAME compiler)
set_target_properties(graphc_nn PROPERTIES EXPORT_NAME nn)

install(TARGETS graphc_runtime EXPORT graphcRuntimeTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${GRAPHC_INSTALL_INCLUDEDIR})
install(TARGETS graphc_ir graphc_passes graphc_compiler graphc_nn EXPORT graphcCompilerTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${GRAPHC_INSTALL_INCLUDEDIR})
install(TARGETS graphc EXPORT graphcToolTargets RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# Headers. The runtime's are all it has (a program embedding a model
# includes the generated header, which includes runtime/kernel_abi.h and
# perhaps runtime/thread_pool.h, and may use runtime/npy.h and
# runtime/executable.h). The public API includes ir/dtype.h, ir/shape.h and
# what they include; all of ir/*.h go, for users of ConcreteFunction::module().
install(DIRECTORY ${PROJECT_SOURCE_DIR}/runtime/ DESTINATION ${GRAPHC_INSTALL_INCLUDEDIR}/runtime
        FILES_MATCHING PATTERN "*.h")
install(DIRECTORY ${PROJECT_SOURCE_DIR}/compiler/api/graphc/ DESTINATION ${GRAPHC_INSTALL_INCLUDEDIR}/graphc
        FILES_MATCHING PATTERN "*.h")
install(DIRECTORY ${PROJECT_SOURCE_DIR}/nn/ DESTINATION ${GRAPHC_INSTALL_INCLUDEDIR}/nn
        FILES_MATCHING PATTERN "*.h")
file(GLOB _graphc_ir_headers ${PROJECT_SOURCE_DIR}/ir/*.h)
install(FILES ${_graphc_ir_headers} DESTINATION ${GRAPHC_INSTALL_INCLUDEDIR}/ir)

install(EXPORT graphcRuntimeTargets NAMESPACE graphc:: DESTINATION ${GRAPHC_INSTALL_CMAKEDIR})
install(EXPORT graphcCompilerTargets NAMESPACE graphc:: DESTINATION ${GRAPHC_INSTALL_CMAKEDIR})
install(EXPORT graphcToolTargets NAMESPACE graphc:: DESTINATION ${GRAPHC_INSTALL_CMAKEDIR})

# The config records where this build found LLVM, for find_dependency.
set(GRAPHC_LLVM_DIR ${LLVM_DIR})
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/graphcConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/cmake/graphcConfig.cmake
                              INSTALL_DESTINATION ${GRAPHC_INSTALL_CMAKEDIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/cmake/graphcConfigVersion.cmake
                                 VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/cmake/graphcConfig.cmake
              ${PROJECT_BINARY_DIR}/cmake/graphcConfigVersion.cmake
              ${CMAKE_CURRENT_LIST_DIR}/graphcCompileModel.cmake
        DESTINATION ${GRAPHC_INSTALL_CMAKEDIR})
