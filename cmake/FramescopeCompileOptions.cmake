# One place for compiler options; every target links framescope::compile_options.
add_library(framescope_compile_options INTERFACE)
add_library(framescope::compile_options ALIAS framescope_compile_options)

target_compile_features(framescope_compile_options INTERFACE cxx_std_20)
set(CMAKE_CXX_EXTENSIONS OFF)

if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(framescope_compile_options INTERFACE
        -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
        -Wcast-align -Woverloaded-virtual -Wimplicit-fallthrough)
endif()

# Strict Qt string handling (KDE heaptrack habit): no implicit conversions between
# QString and char data, no QUrl from a plain string.
target_compile_definitions(framescope_compile_options INTERFACE
    QT_NO_CAST_FROM_ASCII
    QT_NO_CAST_TO_ASCII
    QT_NO_URL_CAST_FROM_STRING
    QT_NO_CAST_FROM_BYTEARRAY
    QT_NO_KEYWORDS)

# Sanitizer builds are selected by presets through FRAMESCOPE_SANITIZE.
set(FRAMESCOPE_SANITIZE "" CACHE STRING "Sanitizers: empty, address;undefined, or thread")
if(FRAMESCOPE_SANITIZE)
    list(JOIN FRAMESCOPE_SANITIZE "," _fs_sanitizers)
    add_compile_options(-fsanitize=${_fs_sanitizers} -fno-omit-frame-pointer -fno-sanitize-recover=all)
    add_link_options(-fsanitize=${_fs_sanitizers})
endif()

# The release preset links with LTO (the receive path crosses the protocol, session and capture
# libraries). GCC 12 then warns falsely inside Qt's qhash.h about a size it cannot prove bounded.
if(CMAKE_INTERPROCEDURAL_OPTIMIZATION AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    add_link_options(-Wno-alloc-size-larger-than)
endif()
