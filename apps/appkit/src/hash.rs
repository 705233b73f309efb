//! FNV-1a (64-bit): the fingerprint the apps record for model files and prepared data, so a changed
//! or mismatched file is refused. Not cryptographic; it catches corruption and mix-ups.

/// The FNV-1a 64 offset basis: the hash of no bytes, and the start of an incremental hash.
pub const FNV1A_START: u64 = 0xcbf2_9ce4_8422_2325;

/// Continues the FNV-1a 64 hash `hash` over `bytes`.
#[must_use]
pub fn fnv1a_update(hash: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(hash, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The FNV-1a 64 hash of `bytes` as 16 lowercase hexadecimal digits.
#[must_use]
pub fn fnv1a_hex(bytes: &[u8]) -> String {
    format!("{:016x}", fnv1a_update(FNV1A_START, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_published_test_vectors() {
        assert_eq!(fnv1a_hex(b""), "cbf29ce484222325");
        assert_eq!(fnv1a_hex(b"a"), "af63dc4c8601ec8c");
        assert_eq!(fnv1a_hex(b"foobar"), "85944171f73967e8");
    }

    #[test]
    fn incremental_equals_one_pass() {
        let split = fnv1a_update(fnv1a_update(FNV1A_START, b"foo"), b"bar");
        assert_eq!(format!("{split:016x}"), fnv1a_hex(b"foobar"));
    }
}
