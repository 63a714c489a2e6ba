// Catch2's main(). This file holds the whole Catch implementation, which is slow to compile,
// so it lives alone and is rebuilt only when catch.hpp changes.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
