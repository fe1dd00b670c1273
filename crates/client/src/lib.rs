//! ferrodis client.
