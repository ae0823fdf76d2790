# graphc_compile_model(<target> GIR <file.gir> [FUNCTION <name>]
#                      [WEIGHTS <file.safetensors>] [MARCH <cpu>] [CLASS <name>]
#                      [HEADER <name>])
#
# Runs `graphc compile` (the graphc::graphc executable) at build time on
# GIR, writing <binary dir>/<HEADER or target>.o and .h, and makes <target>:
# a static library holding that object, linking graphc::runtime, with the
# header's folder on its include path. Rebuilt when GIR or WEIGHTS change.
# Part of graphc's package (graphcConfig.cmake); see `graphc compile --help`.
function(graphc_compile_model target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "GIR;FUNCTION;WEIGHTS;MARCH;CLASS;HEADER" "")
  if(NOT arg_GIR)
    message(FATAL_ERROR "graphc_compile_model(${target}): GIR <file.gir> is required")
  endif()
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "graphc_compile_model(${target}): unknown arguments ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT arg_HEADER)
    set(arg_HEADER ${target})
  endif()
  get_filename_component(gir ${arg_GIR} ABSOLUTE)
  set(dir ${CMAKE_CURRENT_BINARY_DIR}/graphc_models)
  set(prefix ${dir}/${arg_HEADER})
  set(options)
  set(depends ${gir})
  if(arg_FUNCTION)
    list(APPEND options --function=${arg_FUNCTION})
  endif()
  if(arg_WEIGHTS)
    get_filename_component(weights ${arg_WEIGHTS} ABSOLUTE)
    list(APPEND options --weights=${weights})
    list(APPEND depends ${weights})
  endif()
  if(arg_MARCH)
    list(APPEND options --march=${arg_MARCH})
  endif()
  if(arg_CLASS)
    list(APPEND options --class=${arg_CLASS})
  endif()
  add_custom_command(OUTPUT ${prefix}.o ${prefix}.h
                     COMMAND ${CMAKE_COMMAND} -E make_directory ${dir}
                     COMMAND graphc::graphc compile ${gir} ${options} -o ${prefix}
                     DEPENDS ${depends} graphc::graphc
                     COMMENT "graphc compile ${arg_GIR} -> ${arg_HEADER}.o, ${arg_HEADER}.h"
                     VERBATIM)
  add_library(${target} STATIC ${prefix}.o ${prefix}.h)
  set_target_properties(${target} PROPERTIES LINKER_LANGUAGE CXX)
  target_include_directories(${target} PUBLIC ${dir})
  target_link_libraries(${target} PUBLIC graphc::runtime)
endfunction()
