//! Which stored secrets a form may use. A form refers to secrets held in the keychain by set
//! (`StoredSecrets`); the set is bound to what it was made for, a profile's to that profile's
//! source and secret fields, any other to the source and fields recorded in [`SecretSets`]. A
//! request may fill only those fields, and only secret fields of its own source, so a form
//! can never pull another source's secret (or an account's client secret) into a request.

use crate::catalog::secrets::{secret_fields_for, secret_fields_of};
use crate::catalog::{FormValues, Source};
use crate::profiles::ProfileBook;
use crate::secrets::credentials::{CredentialsError, SecretSets, StoredSecrets};
use crate::secrets::vault::Vault;

/// The fields `stored` may fill in a form of `source`.
pub async fn allowed_fields(
    stored: &StoredSecrets,
    source: &Source,
    sets: &SecretSets,
    profiles: &ProfileBook,
) -> Result<Vec<String>, CredentialsError> {
    StoredSecrets::check_set(&stored.set)?;
    // A profile's set may fill what the profile keeps as secrets (the rule every save follows),
    // any other set only the source's own secret fields.
    let (bound, secret) = if stored.is_profile_set() {
        let id = stored.set.trim_start_matches("profile/");
        let profile = profiles.profile(id).await.filter(|p| p.spec_id == source.spec_id);
        let fields = profile.ok_or(CredentialsError::UnknownSet)?.secret_fields;
        let secret = secret_fields_for(source, &fields);
        (fields, secret)
    } else {
        (sets.allowed(&stored.set, &source.spec_id).await?, secret_fields_of(source))
    };
    Ok(bound.into_iter().filter(|f| secret.contains(f)).collect())
}

/// Fills the fields the user left empty from `stored`, within its binding.
pub async fn fill(
    stored: &StoredSecrets,
    source: &Source,
    sets: &SecretSets,
    profiles: &ProfileBook,
    vault: &Vault,
    values: &mut FormValues,
) -> Result<(), CredentialsError> {
    let allowed = allowed_fields(stored, source, sets, profiles).await?;
    stored.fill_allowed(vault, values, &allowed).await
}

/// Keeps `new` (field → secret, just obtained: a consent's tokens, an imported client secret)
/// for a form of `source` that already holds `form`. The form ends up with one set holding
/// both: its own set when that is a form set of this source, else a new set into which the
/// form's other stored secrets (a profile's, say) are copied keychain to keychain.
pub async fn extend(
    form: Option<&StoredSecrets>,
    source: &Source,
    sets: &SecretSets,
    profiles: &ProfileBook,
    vault: &Vault,
    new: Vec<(String, crate::Secret)>,
) -> Result<StoredSecrets, CredentialsError> {
    let secret = secret_fields_of(source);
    if let Some(field) = new.iter().map(|(f, _)| f).find(|f| !secret.contains(f)) {
        return Err(CredentialsError::NotAllowed { field: field.clone() });
    }
    let own = match form {
        Some(form) if !form.is_profile_set() && sets.allowed(&form.set, &source.spec_id).await.is_ok() => {
            Some(form)
        }
        _ => None,
    };
    if let Some(own) = own {
        let kept = sets.keep(Some(&own.set), &source.spec_id, new).await?;
        let mut fields = own.fields.clone();
        fields.extend(kept.fields.into_iter().filter(|f| !own.fields.contains(f)));
        return Ok(StoredSecrets { set: kept.set, fields });
    }
    let mut values = new;
    if let Some(form) = form {
        let allowed = allowed_fields(form, source, sets, profiles).await?;
        for field in form.fields.iter().filter(|f| allowed.contains(f)) {
            if values.iter().any(|(f, _)| f == field) {
                continue;
            }
            let value = vault
                .get(&StoredSecrets::key(&form.set, field))
                .await?
                .ok_or_else(|| CredentialsError::Missing { field: field.clone() })?;
            values.push((field.clone(), value));
        }
    }
    sets.keep(None, &source.spec_id, values).await
}
