#pragma once
// Typed errors thrown by core. Every message is one line a user can act on.

#include <stdexcept>
#include <string>

namespace qkv {

struct Error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// An impossible or inconsistent configuration (e.g. g not dividing H).
struct ConfigError : Error {
    using Error::Error;
};

// Input data that cannot be read or does not match its format (IDX, text, presets).
struct DataError : Error {
    using Error::Error;
};

// A file or run folder that cannot be read or written, or is corrupt.
struct IoError : Error {
    using Error::Error;
};

// Work this machine cannot do: more memory than it has, say. The message gives both figures.
struct ResourceError : Error {
    using Error::Error;
};

// Work stopped because the user cancelled it.
struct CancelledError : Error {
    using Error::Error;
};

}  // namespace qkv
