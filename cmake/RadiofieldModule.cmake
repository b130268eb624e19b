# radiofield_module(NAME [DEPS ...] [TORCH] [SOURCES ...]): one static library per module,
# sources from src/<NAME>/ and its subfolders (*.cpp always, *.cu only in CUDA builds; models
# keep one folder per family), headers under include/radiofield/<NAME>/. SOURCES lists the
# files instead, for a folder that holds more than one library (src/rt: the physics without
# Embree, and the tracer).
function(radiofield_module name)
  cmake_parse_arguments(ARG "TORCH" "" "DEPS;SOURCES" ${ARGN})
  if(ARG_SOURCES)
    set(_src ${ARG_SOURCES})
  else()
    file(GLOB_RECURSE _cpp CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
    set(_src ${_cpp})
    if(RADIOFIELD_CUDA)
      file(GLOB_RECURSE _cu CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cu)
      list(APPEND _src ${_cu})
    endif()
  endif()
  if(NOT _src)  # a module whose sources are still to come
    add_library(radiofield_${name} INTERFACE)
    add_library(radiofield::${name} ALIAS radiofield_${name})
    target_include_directories(radiofield_${name} BEFORE INTERFACE ${RADIOFIELD_SHIM_DIR})
    target_include_directories(radiofield_${name} INTERFACE ${PROJECT_SOURCE_DIR}/include)
    target_link_libraries(radiofield_${name} INTERFACE ${ARG_DEPS})
    return()
  endif()
  add_library(radiofield_${name} STATIC ${_src})
  add_library(radiofield::${name} ALIAS radiofield_${name})
  target_include_directories(radiofield_${name} BEFORE PUBLIC ${RADIOFIELD_SHIM_DIR})
  target_include_directories(radiofield_${name} PUBLIC ${PROJECT_SOURCE_DIR}/include)
  target_link_libraries(radiofield_${name} PUBLIC ${ARG_DEPS})
  target_compile_options(radiofield_${name} PRIVATE
    $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wno-unused-parameter>)
  set_target_properties(radiofield_${name} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  if(ARG_TORCH)
    radiofield_use_torch(radiofield_${name})
  endif()
endfunction()

# Link LibTorch and precompile its headers for this target (they dominate compile time).
function(radiofield_use_torch target)
  target_link_libraries(${target} PUBLIC ${TORCH_LIBRARIES})
  if(RADIOFIELD_TORCH_PCH)
    target_precompile_headers(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:<torch/torch.h$<ANGLE-R>>)
  endif()
endfunction()
