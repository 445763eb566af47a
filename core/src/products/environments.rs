//! `products.environments.*`: a product's environments, addressed by slug.

use super::api::*;
use super::{lookup, refuse_while_holding, repo, MAX_NAME_LEN};
use crate::error::Result;
use crate::fields::{check_env_slug, check_text, description, new_id, now};
use crate::secrets::repo::{delete_owned, Owned};
use crate::Ductape;

pub async fn create(d: &Ductape, req: EnvCreateRequest) -> Result<Environment> {
    let product = lookup("product", &req.product)?;
    let slug = check_env_slug("slug", &req.slug)?;
    let name = match &req.name {
        Some(n) => check_text("name", n, MAX_NAME_LEN, false)?,
        None => slug.clone(),
    };
    let desc = description(req.description.as_deref())?;
    let store = d.store().await?;
    let (env, product) = store
        .write_async(move |_, tx| {
            let p = repo::product(tx, &product)?;
            let now = now();
            let env = repo::Env {
                id: new_id(),
                product_id: p.id.clone(),
                slug: slug.clone(),
                name: name.clone(),
                description: desc.clone(),
                created_at: now.clone(),
                updated_at: now,
            };
            repo::insert_env(tx, &env, &p.tag)?;
            Ok((env, p.tag))
        })
        .await?;
    Ok(record(&product, &env))
}

pub async fn fetch(d: &Ductape, req: EnvRequest) -> Result<Environment> {
    let (product, slug) = (lookup("product", &req.product)?, check_env_slug("env", &req.env)?);
    let store = d.store().await?;
    let env = store.read_async(move |_, c| repo::env(c, &repo::product(c, &product)?, &slug)).await?;
    Ok(record(req.product.trim(), &env))
}

pub async fn list(d: &Ductape, req: OfProductRequest) -> Result<EnvListReply> {
    let product = lookup("product", &req.product)?;
    let store = d.store().await?;
    let p = product.clone();
    let envs = store.read_async(move |_, c| repo::envs(c, &repo::product(c, &p)?.id)).await?;
    Ok(EnvListReply { environments: envs.iter().map(|e| record(&product, e)).collect() })
}

pub async fn update(d: &Ductape, req: EnvUpdateRequest) -> Result<Environment> {
    let (product, slug) = (lookup("product", &req.product)?, check_env_slug("env", &req.env)?);
    let name = req.name.as_deref().map(|n| check_text("name", n, MAX_NAME_LEN, false)).transpose()?;
    let desc = req.description.map(|d| description(d.as_deref())).transpose()?;
    let store = d.store().await?;
    let p = product.clone();
    let env = store
        .write_async(move |_, tx| {
            let mut env = repo::env(tx, &repo::product(tx, &p)?, &slug)?;
            if let Some(n) = &name {
                env.name = n.clone();
            }
            if let Some(d) = &desc {
                env.description = d.clone();
            }
            env.updated_at = now();
            repo::save_env(tx, &env)?;
            Ok(env)
        })
        .await?;
    Ok(record(&product, &env))
}

pub async fn delete(d: &Ductape, req: EnvDeleteRequest) -> Result<EnvDeleteReply> {
    let (product, slug) = (lookup("product", &req.product)?, check_env_slug("env", &req.env)?);
    let store = d.store().await?;
    let (p, s) = (product.clone(), slug.clone());
    let secrets_deleted = store
        .write_async(move |_, tx| {
            let env = repo::env(tx, &repo::product(tx, &p)?, &s)?;
            let what = format!("environment '{s}' of product '{p}'");
            refuse_while_holding(tx, Owned::Env(&env.id), req.force, &what)?;
            let n = super::delete_sealed_count(tx, Owned::Env(&env.id))? + delete_owned(tx, Owned::Env(&env.id))?;
            repo::delete_env(tx, &env.id)?;
            Ok(n)
        })
        .await?;
    Ok(EnvDeleteReply { product, env: slug, deleted: true, secrets_deleted })
}

fn record(product: &str, e: &repo::Env) -> Environment {
    Environment {
        product: product.to_string(),
        slug: e.slug.clone(),
        name: e.name.clone(),
        description: e.description.clone(),
        created_at: e.created_at.clone(),
        updated_at: e.updated_at.clone(),
    }
}
