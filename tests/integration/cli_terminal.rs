//! flow-connect-cli as a terminal citizen: closed pipes, control characters, secrets from files, endpoints announced.
