//! Lookups by name: exactly that name, every page, ambiguity refused, ids accepted; create recovery claims only its own connection.
