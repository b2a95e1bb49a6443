//! Call-site numbers for binary calls (`protocol/binary.rs`): each module function this process
//! calls through the pool gets a number once, the same for every worker; a worker is sent the
//! names with the first call of a site it gets, and looks the function up once for it.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Mutex, RwLock};

use super::worker::lock;

/// Hashes names by FNV-1a: a site is looked up on every binary call, by names this process
/// chose (SipHash's protection against chosen keys buys nothing here).
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type Names<V> = HashMap<Box<str>, V, BuildHasherDefault<Fnv>>;

/// module -> function -> site number.
static SITES: RwLock<Option<Names<Names<u32>>>> = RwLock::new(None);
/// How many sites there are (the next number).
static COUNT: Mutex<u32> = Mutex::new(0);

/// A site remembered by its names: (module, function, number).
type Named = (Box<str>, Box<str>, u32);

thread_local! {
    /// This thread's last site: a loop calling one function finds it without the table's lock
    /// or a hash (two short comparisons).
    static LAST: std::cell::RefCell<Option<Named>> = const { std::cell::RefCell::new(None) };
}

/// The site number of `module.function` (numbered on first use); `None` once `u32::MAX` sites
/// were numbered (the call then goes as JSON).
pub(crate) fn site_of(module: &str, function: &str) -> Option<u32> {
    let last = LAST.with_borrow(|last| match last {
        Some((m, f, n)) if **f == *function && **m == *module => Some(*n),
        _ => None,
    });
    if last.is_some() {
        return last;
    }
    let n = numbered(module, function)?;
    LAST.set(Some((module.into(), function.into(), n)));
    Some(n)
}

/// [`site_of`] through the table.
fn numbered(module: &str, function: &str) -> Option<u32> {
    {
        let sites = SITES.read().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = sites
            .as_ref()
            .and_then(|s| s.get(module))
            .and_then(|f| f.get(function))
        {
            return Some(*n);
        }
    }
    let mut sites = SITES.write().unwrap_or_else(|e| e.into_inner());
    let by_function = sites
        .get_or_insert_with(Names::default)
        .entry(module.into())
        .or_default();
    if let Some(n) = by_function.get(function) {
        return Some(*n);
    }
    let mut count = lock(&COUNT);
    let n = *count;
    *count = count.checked_add(1)?;
    by_function.insert(function.into(), n);
    Some(n)
}

/// The sites one worker was sent the names of.
#[derive(Default)]
pub(crate) struct KnownSites(Mutex<Vec<u64>>);

impl KnownSites {
    /// Marks `site` known; true when it was not (its names go with this call).
    pub(crate) fn learn(&self, site: u32) -> bool {
        let (word, bit) = (site as usize / 64, 1u64 << (site % 64));
        let mut known = lock(&self.0);
        if known.len() <= word {
            known.resize(word + 1, 0);
        }
        let new = known[word] & bit == 0;
        known[word] |= bit;
        new
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_site_keeps_its_number_and_a_worker_learns_it_once() {
        let a = site_of("operator", "add").unwrap();
        let b = site_of("operator", "sub").unwrap();
        assert_ne!(a, b);
        assert_eq!(site_of("operator", "add"), Some(a));
        assert_ne!(
            site_of("operatoradd", ""),
            Some(a),
            "names are not run together"
        );
        let known = KnownSites::default();
        assert!(known.learn(a));
        assert!(!known.learn(a));
        assert!(known.learn(b));
        assert!(known.learn(200), "beyond the first word");
        assert!(!known.learn(200));
    }
}
