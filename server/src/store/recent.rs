//! A bounded map of recently used entries: two generations, the newer one filled until it holds
//! `capacity` entries, when it becomes the older one and the old older one is dropped. An entry read
//! from the older generation moves to the newer one, so what is used often stays.
//!
//! It approximates least-recently-used eviction with two hash maps and no bookkeeping per read; at
//! most `2 × capacity` entries are held.

use std::collections::HashMap;
use std::hash::Hash;

/// Recently used entries, at most twice `capacity` of them.
pub struct Recent<K, V> {
    newer: HashMap<K, V>,
    older: HashMap<K, V>,
    capacity: usize,
}

impl<K: Eq + Hash + Clone, V> Recent<K, V> {
    /// An empty map keeping about `capacity` (at least one) entries.
    pub fn new(capacity: usize) -> Self {
        Recent { newer: HashMap::new(), older: HashMap::new(), capacity: capacity.max(1) }
    }

    /// The entry for `key`, if it is still held.
    pub fn get(&mut self, key: &K) -> Option<&V> {
        if !self.newer.contains_key(key) {
            let value = self.older.remove(key)?;
            self.insert(key.clone(), value);
        }
        self.newer.get(key)
    }

    /// Keeps `value` for `key`, replacing what was kept.
    pub fn insert(&mut self, key: K, value: V) {
        self.older.remove(&key);
        if self.newer.len() >= self.capacity && !self.newer.contains_key(&key) {
            self.older = std::mem::take(&mut self.newer);
        }
        self.newer.insert(key, value);
    }

    /// Forgets the entry for `key`.
    pub fn remove(&mut self, key: &K) {
        self.newer.remove(key);
        self.older.remove(key);
    }

    /// Forgets every entry.
    pub fn clear(&mut self) {
        self.newer.clear();
        self.older.clear();
    }

    /// How many entries are held.
    pub fn len(&self) -> usize {
        self.newer.len() + self.older.len()
    }

    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::Recent;

    #[test]
    fn keeps_at_most_twice_its_capacity_and_what_was_read_lately() {
        let mut recent = Recent::new(2);
        recent.insert("一", 1);
        recent.insert("二", 2);
        recent.insert("三", 3);
        assert_eq!(recent.len(), 3);
        assert_eq!(recent.get(&"一"), Some(&1), "read from the older generation");
        recent.insert("四", 4);
        recent.insert("五", 5);
        assert!(recent.len() <= 4);
        assert_eq!(recent.get(&"五"), Some(&5));
        assert_eq!(recent.get(&"二"), None, "never read again, so dropped");
    }

    #[test]
    fn insert_replaces_and_remove_forgets_in_either_generation() {
        let mut recent = Recent::new(1);
        recent.insert("甲", 1);
        recent.insert("乙", 2);
        recent.insert("甲", 3);
        assert_eq!(recent.get(&"甲"), Some(&3));
        recent.remove(&"乙");
        recent.remove(&"甲");
        assert!(recent.is_empty());
        recent.insert("丙", 4);
        recent.clear();
        assert_eq!(recent.get(&"丙"), None);
    }
}
