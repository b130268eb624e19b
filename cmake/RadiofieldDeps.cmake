# Third-party dependencies: Debian packages (scripts/setup.sh installs them) and LibTorch
# from the PyPI torch wheel, which scripts/setup.sh caches outside the checkout.

find_package(Threads REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(embree 3 REQUIRED)
find_package(TBB REQUIRED)
find_package(pugixml REQUIRED)
find_package(OpenSSL REQUIRED COMPONENTS Crypto)  # SHA-256 of shipped weights

# The torch wheel ships its own fmt (a newer major version) in its include folder, which
# would shadow the system fmt that spdlog and our code link against. A shim folder that
# holds only fmt/ and spdlog/ from the system goes first on every include path.
get_target_property(_fmt_inc fmt::fmt INTERFACE_INCLUDE_DIRECTORIES)
find_path(RADIOFIELD_FMT_INCLUDE_DIR fmt/format.h HINTS ${_fmt_inc} NO_CMAKE_PATH REQUIRED)
get_target_property(_spdlog_inc spdlog::spdlog INTERFACE_INCLUDE_DIRECTORIES)
find_path(RADIOFIELD_SPDLOG_INCLUDE_DIR spdlog/spdlog.h HINTS ${_spdlog_inc} NO_CMAKE_PATH REQUIRED)
set(RADIOFIELD_SHIM_DIR ${CMAKE_BINARY_DIR}/include-shim)
file(MAKE_DIRECTORY ${RADIOFIELD_SHIM_DIR})
foreach(_pair "fmt;${RADIOFIELD_FMT_INCLUDE_DIR}" "spdlog;${RADIOFIELD_SPDLOG_INCLUDE_DIR}")
  list(GET _pair 0 _name)
  list(GET _pair 1 _dir)
  if(NOT EXISTS ${RADIOFIELD_SHIM_DIR}/${_name})
    file(CREATE_LINK ${_dir}/${_name} ${RADIOFIELD_SHIM_DIR}/${_name} SYMBOLIC)
  endif()
endforeach()

find_path(STB_INCLUDE_DIR stb/stb_image_write.h REQUIRED)
find_library(STB_LIBRARY stb REQUIRED)
add_library(radiofield_stb INTERFACE)
target_include_directories(radiofield_stb SYSTEM INTERFACE ${STB_INCLUDE_DIR}/stb)
target_link_libraries(radiofield_stb INTERFACE ${STB_LIBRARY})

# libpng reads PNGs (CRC and Adler-32 checked); stb_image_write above writes them.
find_package(PNG REQUIRED)

find_path(NANOFLANN_INCLUDE_DIR nanoflann.hpp REQUIRED)
add_library(radiofield_nanoflann INTERFACE)
target_include_directories(radiofield_nanoflann SYSTEM INTERFACE ${NANOFLANN_INCLUDE_DIR})

# HDF5 C library (Debian: serial flavour under hdf5/serial). Looked up directly rather than
# through FindHDF5, whose compiler-wrapper probe breaks when the .debs are unpacked into a
# prefix on the GPU machine.
find_path(RADIOFIELD_HDF5_INCLUDE_DIR hdf5.h PATH_SUFFIXES hdf5/serial REQUIRED)
find_library(RADIOFIELD_HDF5_LIBRARY NAMES hdf5_serial hdf5 PATH_SUFFIXES hdf5/serial REQUIRED)
add_library(radiofield_hdf5 INTERFACE)
target_include_directories(radiofield_hdf5 SYSTEM INTERFACE ${RADIOFIELD_HDF5_INCLUDE_DIR})
target_link_libraries(radiofield_hdf5 INTERFACE ${RADIOFIELD_HDF5_LIBRARY})

if(RADIOFIELD_FUZZ)
  return()  # the fuzz build holds no LibTorch code
endif()

# LibTorch: the PyPI wheel ships its CMake config. Ask the cached interpreter where it is
# unless the caller already put it on CMAKE_PREFIX_PATH.
set(RADIOFIELD_PYTHON "$ENV{HOME}/.cache/radiofield/venv/bin/python" CACHE FILEPATH
    "Python interpreter whose torch package provides LibTorch")
# The CUDA wheel's config would otherwise probe for an installed GPU (none on build machines).
if(NOT DEFINED ENV{TORCH_CUDA_ARCH_LIST} AND NOT DEFINED TORCH_CUDA_ARCH_LIST)
  set(TORCH_CUDA_ARCH_LIST "9.0")
endif()
find_package(Torch QUIET)
if(NOT Torch_FOUND)
  if(NOT EXISTS "${RADIOFIELD_PYTHON}")
    message(FATAL_ERROR "LibTorch not found and ${RADIOFIELD_PYTHON} does not exist. "
                        "Run scripts/setup.sh (or `make setup`) first, or pass "
                        "-DRADIOFIELD_PYTHON=/path/to/python with torch==2.11.0 installed.")
  endif()
  execute_process(
    COMMAND "${RADIOFIELD_PYTHON}" -c "import torch.utils; print(torch.utils.cmake_prefix_path)"
    OUTPUT_VARIABLE _torch_prefix OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE _torch_rc)
  if(NOT _torch_rc EQUAL 0)
    message(FATAL_ERROR "${RADIOFIELD_PYTHON} cannot import torch; run scripts/setup.sh")
  endif()
  list(APPEND CMAKE_PREFIX_PATH "${_torch_prefix}")
  find_package(Torch REQUIRED)
endif()
