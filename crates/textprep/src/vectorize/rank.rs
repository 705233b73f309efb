//! Feature indices: the rank of every term in code-point order (sklearn sorts its vocabulary), computed from the
//! terms' bytes or, for word n-grams, from their token sequences without making the texts.

use super::word_count::WordRun;

/// Rank of every term in code-point order (UTF-8 byte order is code-point order).
///
/// A multikey sort on eight bytes at a time read as one big-endian integer (zero-padded): a radix pass on the
/// first eight bytes, then each group sharing them is sorted on the next eight, and so on; small groups are
/// finished with whole-string comparisons. Most comparisons are integer comparisons.
pub(crate) fn rank_by_term<T: AsRef<str>>(terms: &[T]) -> Vec<u32> {
    let mut keyed: Vec<(u64, u32)> = terms
        .iter()
        .enumerate()
        .map(|(i, t)| (chunk_at(t.as_ref(), 0), i as u32))
        .collect();
    radix_sort_by_key(&mut keyed);
    for_each_group(&mut keyed, |group| sort_group(group, terms, 1));
    let mut rank = vec![0u32; terms.len()];
    for (r, &(_, id)) in keyed.iter().enumerate() {
        rank[id as usize] = r as u32;
    }
    rank
}

/// Word n-grams (by feature number) in code-point order of their texts, computed from their token sequences.
///
/// Tokens are runs of Python word characters, all above U+0020, so the space that joins them sorts below any
/// token character: comparing two n-gram texts is comparing their token sequences token by token (a token that
/// is a prefix of the other, or a sequence that is a prefix of the other, comes first either way).
pub(crate) fn order_by_tokens(windows: &WordRun) -> Vec<u32> {
    debug_assert!(windows.tokens.iter().all(|t| t.chars().all(|c| c > ' ')));
    let tokens: Vec<&str> = windows.tokens.iter().collect();
    let token_rank = rank_by_term(&tokens);
    let count = windows.len();
    let window = |f: usize| windows.window(f);
    let longest = (0..count).map(|f| window(f).len()).max().unwrap_or(0);
    if longest <= 2 {
        // Two stable counting sorts (least significant token first), one bucket per token: the second token's
        // rank + 1 (0 for a unigram, which sorts before the bigrams it starts), then the first token's rank.
        // Both keys are read from one array of pairs made in a single pass over the features.
        let buckets = windows.tokens.len() + 1;
        let keys: Vec<(u32, u32)> = windows
            .starts
            .windows(2)
            .map(|span| match windows.flat[span[0]..span[1]] {
                [first, second] => (token_rank[first as usize], token_rank[second as usize] + 1),
                [first, ..] => (token_rank[first as usize], 0),
                [] => (0, 0),
            })
            .collect();
        let features: Vec<u32> = (0..count as u32).collect();
        let by_second = counting_sort(&features, buckets, |f| keys[f as usize].1 as usize);
        counting_sort(&by_second, buckets, |f| keys[f as usize].0 as usize)
    } else {
        let ranked: Vec<u32> = windows
            .flat
            .iter()
            .map(|&t| token_rank[t as usize])
            .collect();
        let ranked_window =
            |f: u32| &ranked[windows.starts[f as usize]..windows.starts[f as usize + 1]];
        let mut order: Vec<u32> = (0..count as u32).collect();
        order.sort_unstable_by(|&a, &b| ranked_window(a).cmp(ranked_window(b)));
        order
    }
}

/// Stable counting sort of `items` by `key(item)`, which must be below `buckets`.
fn counting_sort(items: &[u32], buckets: usize, key: impl Fn(u32) -> usize) -> Vec<u32> {
    let mut next = vec![0usize; buckets + 1];
    for &item in items {
        next[key(item) + 1] += 1;
    }
    for b in 1..=buckets {
        next[b] += next[b - 1];
    }
    let mut sorted = vec![0u32; items.len()];
    for &item in items {
        let slot = &mut next[key(item)];
        sorted[*slot] = item;
        *slot += 1;
    }
    sorted
}

/// Bytes `[8 * depth, 8 * depth + 8)` of `term` as a big-endian integer, zero-padded past the end.
fn chunk_at(term: &str, depth: usize) -> u64 {
    let bytes = term.as_bytes();
    let start = (8 * depth).min(bytes.len());
    let end = (start + 8).min(bytes.len());
    let mut chunk = [0u8; 8];
    chunk[..end - start].copy_from_slice(&bytes[start..end]);
    u64::from_be_bytes(chunk)
}

/// Calls `sort` on every run of two or more consecutive items with equal keys.
fn for_each_group(keyed: &mut [(u64, u32)], mut sort: impl FnMut(&mut [(u64, u32)])) {
    let mut start = 0;
    while start < keyed.len() {
        let mut end = start + 1;
        while end < keyed.len() && keyed[end].0 == keyed[start].0 {
            end += 1;
        }
        if end - start > 1 {
            sort(&mut keyed[start..end]);
        }
        start = end;
    }
}

/// Sorts a group of terms whose first `8 * depth` bytes (zero-padded) are equal.
fn sort_group<T: AsRef<str>>(group: &mut [(u64, u32)], terms: &[T], depth: usize) {
    let longest = group
        .iter()
        .map(|&(_, id)| terms[id as usize].as_ref().len())
        .max()
        .unwrap_or(0);
    if group.len() <= 16 || longest <= 8 * depth {
        group.sort_unstable_by(|a, b| {
            terms[a.1 as usize]
                .as_ref()
                .cmp(terms[b.1 as usize].as_ref())
        });
        return;
    }
    for item in group.iter_mut() {
        item.0 = chunk_at(terms[item.1 as usize].as_ref(), depth);
    }
    group.sort_unstable_by_key(|&(key, _)| key);
    for_each_group(group, |sub| sort_group(sub, terms, depth + 1));
}

/// Stable LSD radix sort of `(key, id)` pairs by key, one byte per pass, skipping bytes all keys share.
fn radix_sort_by_key(items: &mut Vec<(u64, u32)>) {
    let mut spare = vec![(0u64, 0u32); items.len()];
    for shift in (0..64).step_by(8) {
        let mut counts = [0usize; 256];
        for &(key, _) in items.iter() {
            counts[((key >> shift) & 0xFF) as usize] += 1;
        }
        if counts.contains(&items.len()) {
            continue;
        }
        let mut offset = 0;
        for count in counts.iter_mut() {
            let here = *count;
            *count = offset;
            offset += here;
        }
        for &item in items.iter() {
            let bucket = &mut counts[((item.0 >> shift) & 0xFF) as usize];
            spare[*bucket] = item;
            *bucket += 1;
        }
        std::mem::swap(items, &mut spare);
    }
}

/// The inverse of a permutation of `0..perm.len()`.
pub(crate) fn inverse(perm: &[u32]) -> Vec<u32> {
    let mut inverse = vec![0u32; perm.len()];
    for (i, &p) in perm.iter().enumerate() {
        inverse[p as usize] = i as u32;
    }
    inverse
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_follow_code_point_order() {
        let terms: Vec<Box<str>> = [
            "ёж",
            "яма",
            "abcdefghij",
            "abcdefghi",
            "abcdefgh",
            "Ё",
            "z",
            "ab c",
            "ab",
            "абв",
            "abcdefgh\0",
            "abcdefgh",
            "abcdefghijklmnopq",
            "abcdefghijklmnopp",
            "abcdefghijklmnop",
        ]
        .into_iter()
        .map(Box::from)
        .collect::<Vec<Box<str>>>();
        let mut terms = terms;
        terms
            .extend((0..300).map(|i| Box::from(format!("abcdefgh{}", (i * 7919) % 1000).as_str())));
        let rank = rank_by_term(&terms);
        let mut by_rank: Vec<&str> = vec![""; terms.len()];
        for (i, &r) in rank.iter().enumerate() {
            by_rank[r as usize] = &terms[i];
        }
        let mut expected: Vec<&str> = terms.iter().map(|t| &**t).collect();
        expected.sort_by_key(|t| t.chars().map(u32::from).collect::<Vec<_>>());
        assert_eq!(by_rank, expected);
    }
}
