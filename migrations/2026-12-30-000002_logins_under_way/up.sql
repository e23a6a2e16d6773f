-- Logins of a username under way (begun, their password being checked), counted apart
-- from the failures: a worker pool signing in one account from twelve connections at
-- once was locked out though every password was right, the attempts in flight counted as
-- failures. Failures and attempts under way together still never pass the limit, so
-- parallel guesses cannot slip past it. An attempt begun over a minute ago (its server
-- stopped mid-check) no longer counts as under way.
ALTER TABLE login_throttle
    ADD COLUMN under_way integer NOT NULL DEFAULT 0,
    ADD COLUMN last_begun_at timestamptz NOT NULL DEFAULT now();
