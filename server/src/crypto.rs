//! Encryption of sensitive personal data at rest (national ID numbers): AES-256-GCM with
//! a key that is not in the database, and an HMAC-SHA256 "search hash" so an exact-match
//! search never needs the plaintext.
//!
//! The master key comes from `PHARMACRM_DATA_KEY` (64 hex digits) or the file
//! `<data-dir>/keys/data.key`, created on first start. Two keys are derived from it, one
//! to encrypt and one to hash, so neither use weakens the other.

use std::path::Path;

use anyhow::{Context, Result, anyhow, bail};
use hmac::{Hmac, Mac};
use rand::RngCore;
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use sha2::Sha256;

/// The environment variable that can hold the master key.
pub const KEY_ENV: &str = "PHARMACRM_DATA_KEY";

/// The keys protecting personal data.
pub struct DataKey {
    aead: LessSafeKey,
    mac_key: [u8; 32],
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(..)")
    }
}

fn derive(master: &[u8; 32], purpose: &str) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(master).expect("HMAC takes any key length");
    mac.update(purpose.as_bytes());
    mac.finalize().into_bytes().into()
}

fn parse_hex_key(text: &str, source: &str) -> Result<[u8; 32]> {
    let bytes = hex::decode(text.trim()).with_context(|| format!("{source} is not hex"))?;
    bytes
        .try_into()
        .map_err(|_| anyhow!("{source} must hold 32 bytes (64 hex digits)"))
}

impl DataKey {
    /// The keys derived from a 32-byte master key.
    pub fn from_master(master: &[u8; 32]) -> DataKey {
        let enc = derive(master, "pharmacrm personal data encryption v1");
        DataKey {
            aead: LessSafeKey::new(
                UnboundKey::new(&AES_256_GCM, &enc).expect("a 32-byte AES-256 key"),
            ),
            mac_key: derive(master, "pharmacrm personal data search v1"),
        }
    }

    /// The master key from the environment, else from `<keys_dir>/data.key` (created with
    /// 256 random bits on first use, readable by its owner only).
    pub fn load_or_create(keys_dir: &Path) -> Result<DataKey> {
        if let Ok(text) = std::env::var(KEY_ENV) {
            return Ok(DataKey::from_master(&parse_hex_key(&text, KEY_ENV)?));
        }
        let path = keys_dir.join("data.key");
        if !path.exists() {
            std::fs::create_dir_all(keys_dir)
                .with_context(|| format!("creating {}", keys_dir.display()))?;
            let mut master = [0_u8; 32];
            rand::rng().fill_bytes(&mut master);
            crate::tls::write_private(&path, &hex::encode(master))?;
        }
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        Ok(DataKey::from_master(&parse_hex_key(
            &text,
            &path.display().to_string(),
        )?))
    }

    /// Encrypts `plaintext`: a fresh random nonce, then the ciphertext with its tag.
    pub fn encrypt(&self, plaintext: &str) -> Vec<u8> {
        let mut nonce = [0_u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let mut sealed = plaintext.as_bytes().to_vec();
        self.aead
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::empty(),
                &mut sealed,
            )
            .expect("AES-GCM seals any message this size");
        let mut out = nonce.to_vec();
        out.extend(sealed);
        out
    }

    /// Decrypts what [`DataKey::encrypt`] produced; fails on a wrong key or tampering.
    pub fn decrypt(&self, blob: &[u8]) -> Result<String> {
        if blob.len() < NONCE_LEN + AES_256_GCM.tag_len() {
            bail!("encrypted value too short");
        }
        let (nonce, sealed) = blob.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| anyhow!("bad nonce"))?;
        let mut buffer = sealed.to_vec();
        let plain = self
            .aead
            .open_in_place(nonce, Aad::empty(), &mut buffer)
            .map_err(|_| {
                anyhow!(
                    "the encrypted value does not open with this key (wrong key or altered data)"
                )
            })?;
        Ok(String::from_utf8(plain.to_vec())?)
    }

    /// The keyed hash used for exact-match search (deterministic, not reversible).
    pub fn search_hash(&self, normalized: &str) -> Vec<u8> {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.mac_key).expect("HMAC takes any key length");
        mac.update(normalized.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "11010519491231002X";

    #[test]
    fn encryption_round_trips_and_hides_the_plaintext() {
        let key = DataKey::from_master(&[7; 32]);
        let a = key.encrypt(ID);
        let b = key.encrypt(ID);
        assert_ne!(a, b, "a fresh nonce each time");
        assert!(!a.windows(ID.len()).any(|w| w == ID.as_bytes()));
        assert_eq!(key.decrypt(&a).unwrap(), ID);
    }

    #[test]
    fn a_wrong_key_or_an_altered_byte_is_refused() {
        let key = DataKey::from_master(&[7; 32]);
        let mut blob = key.encrypt(ID);
        assert!(DataKey::from_master(&[8; 32]).decrypt(&blob).is_err());
        let last = blob.len() - 1;
        blob[last] ^= 1;
        assert!(key.decrypt(&blob).is_err());
    }

    #[test]
    fn the_search_hash_is_stable_and_keyed() {
        let key = DataKey::from_master(&[7; 32]);
        assert_eq!(key.search_hash(ID), key.search_hash(ID));
        assert_ne!(
            key.search_hash(ID),
            DataKey::from_master(&[8; 32]).search_hash(ID)
        );
        assert_ne!(key.search_hash(ID), key.search_hash("110105194912310037"));
    }

    #[test]
    fn the_key_file_is_created_once_and_reused() {
        let dir = std::env::temp_dir().join(format!("pharmacrm-key-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let first = DataKey::load_or_create(&dir).unwrap();
        let blob = first.encrypt(ID);
        let again = DataKey::load_or_create(&dir).unwrap();
        assert_eq!(again.decrypt(&blob).unwrap(), ID);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
