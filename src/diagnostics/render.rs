//! rendering (to be written)
