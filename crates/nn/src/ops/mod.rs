//! The ops a [`Tape`](crate::Tape) records: element-wise and shape ops ([`basic`]), losses
//! ([`loss`]), and fused recurrent kernels ([`recurrent`]). Every op is a method on `Tape`.

pub(crate) mod backward;
pub mod basic;
pub mod gru_reset_before;
pub mod loss;
pub mod recurrent;
