//! Passwords (Argon2id, off the async threads, bounded) and the random secrets behind
//! session and API tokens.

use std::sync::Arc;

use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version};
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::error::{AppError, AppResult};

/// Argon2id hashing on a few dedicated threads with a short queue. Each hash takes 19 MiB
/// and a core for a few tens of milliseconds; a login storm (hundreds of attempts at once,
/// known usernames or not) must neither grow the server's memory nor slow everything
/// else. So hashes run on `workers` threads of their own (their memory is reused, not
/// spread over the blocking pool), at most `queue` more wait, and any further attempt is
/// refused at once with RESOURCE_EXHAUSTED ("busy, try again in a moment").
#[derive(Clone)]
pub struct Passwords {
    jobs: std::sync::mpsc::SyncSender<Job>,
}

type Job = Box<dyn FnOnce() + Send>;

/// OWASP's minimum for Argon2id: 19 MiB, 2 passes, 1 lane.
fn argon2() -> Argon2<'static> {
    Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(19 * 1024, 2, 1, None).expect("valid Argon2 parameters"),
    )
}

/// Hashes a password (blocking; for start-up and commands).
pub fn hash_password_blocking(password: &str) -> anyhow::Result<String> {
    Ok(argon2()
        .hash_password(password.as_bytes())
        .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))?
        .to_string())
}

/// A valid hash of a random password, verified against when the user does not exist so
/// that the answer takes as long either way.
static DUMMY_HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    hash_password_blocking(&new_secret()).expect("hashing a random password")
});

impl Passwords {
    /// `workers` hashing threads (at least one) and room for `queue` waiting hashes.
    pub fn new(workers: usize, queue: usize) -> Passwords {
        let (jobs, receiver) = std::sync::mpsc::sync_channel::<Job>(queue);
        let receiver = Arc::new(std::sync::Mutex::new(receiver));
        for i in 0..workers.max(1) {
            let receiver = receiver.clone();
            std::thread::Builder::new()
                .name(format!("argon2-{i}"))
                .spawn(move || {
                    loop {
                        // The lock is held only while taking a job, not while hashing.
                        let job = match receiver.lock() {
                            Ok(r) => r.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => job(),
                            // Every sender is gone: the server stopped.
                            Err(_) => return,
                        }
                    }
                })
                .expect("start a password hashing thread");
        }
        Passwords { jobs }
    }

    /// Runs `work` on a hashing thread; refuses at once when the queue is full.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> AppResult<T> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = tx.send(work());
        });
        self.jobs.try_send(job).map_err(|e| match e {
            std::sync::mpsc::TrySendError::Full(_) => AppError::Exhausted(crate::msg!("auth.busy")),
            std::sync::mpsc::TrySendError::Disconnected(_) => {
                AppError::Internal(anyhow::anyhow!("the password hashing threads are gone"))
            }
        })?;
        rx.await
            .map_err(|_| AppError::Internal(anyhow::anyhow!("a password hash was dropped")))
    }

    /// Hashes `password`.
    pub async fn hash(&self, password: String) -> AppResult<String> {
        self.run(move || hash_password_blocking(&password))
            .await?
            .map_err(AppError::Internal)
    }

    /// Whether `password` matches `hash`; with no hash (unknown user, service account)
    /// it spends the same time and answers false.
    pub async fn verify(&self, password: String, hash: Option<String>) -> AppResult<bool> {
        self.run(move || {
            let known = hash.is_some();
            let hash = hash.unwrap_or_else(|| DUMMY_HASH.clone());
            let ok = argon2()
                .verify_password(password.as_bytes(), hash.as_str())
                .is_ok();
            known && ok
        })
        .await
    }
}

/// 256 random bits, URL-safe base64: session tokens, API tokens, generated passwords.
pub fn new_secret() -> String {
    let mut bytes = [0_u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The stored form of a token. Tokens carry 256 random bits, so a fast hash suffices.
pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}
