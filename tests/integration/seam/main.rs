//! The seam both shells share: core's doors (`Operations` and its subjects) opened directly
//! against the fakes on loopback, a private data folder and the private keychain, one module per
//! subject. The window's commands and the CLI's subcommands only read arguments and shape what
//! these return, so what is proven here holds for both.

mod accounts;
mod catalog;
mod connections;
mod consent;
mod credentials;
mod lifecycle;
mod profiles;
mod promotion;
mod support;
