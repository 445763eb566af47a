//! The `ductape` binary run as a user runs it, against the simulator: its output in both modes,
//! its exit codes, its help, the demo.

mod commands;
mod common;
mod demo;
mod help;
