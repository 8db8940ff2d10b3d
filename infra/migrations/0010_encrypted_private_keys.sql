-- Private signing keys are stored sealed (envelope encryption, infra/keywrap.py): the
-- JWK encrypted with AES-256-GCM under a per-key data key, the data key wrapped with a
-- key-encryption key (KEK) that lives outside the database; only the KEK's id is kept.
-- A database dump no longer holds anything that can sign a token.
--
-- The migrator runs SQL only, so keys written in clear by an earlier version are sealed
-- by the first process that loads the keys after this migration, which then sets
-- private_jwk to null (exchange/identity/keys.py). New rows may not carry a clear key:
-- the check is NOT VALID, so it holds for every insert and update but not for the old
-- rows until they are sealed.
alter table platform_key
    alter column private_jwk drop not null,
    add column private_ciphertext bytea,
    add column private_nonce bytea,
    add column private_wrapped_key bytea,
    add column private_kek_id text;

alter table platform_key add constraint platform_key_sealed_whole check (
    num_nulls(private_ciphertext, private_nonce, private_wrapped_key, private_kek_id) in (0, 4)
);

alter table platform_key add constraint platform_key_no_clear_private
    check (private_jwk is null) not valid;
