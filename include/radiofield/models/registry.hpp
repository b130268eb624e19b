#pragma once
// The built-in models. The program (and tests that build models by name) call this once at
// start; calling it again does nothing.
//
// Adding a model family: put it in its own folder src/models/<family>/ with a public header
// include/radiofield/models/<family>.hpp, implement train::Model (what it needs, what it
// predicts, its parameter groups and phases), and register it by name in
// src/models/registry.cpp. The loop, the evaluator, the report and the CLI need no change.

namespace radiofield::models {

void register_builtin_models();

}  // namespace radiofield::models
