//! How Wercker named things in Docker: image references from a box's `id` and `tag`,
//! service aliases, and the docker-link variables a service gives the box; and which keys
//! of a box werk reads.

use werk_yml::BoxConfig;

/// Keys of a box's map form werk reads besides `id`, `tag`, `cmd`, `entrypoint`, `env` and
/// `name`: the registry login.
const LOGIN_KEYS: [&str; 4] = ["username", "password", "registry", "email"];

/// A line naming the keys of `the_box` that werk does not use (`ports` and `volumes`, which
/// Wercker's local runner only used with flags, local services' `url`, cloud registry
/// logins), or `None` when it uses them all.
pub(crate) fn unused_keys(the_box: &BoxConfig, image: &str) -> Option<String> {
    let mut unused: Vec<&str> = Vec::new();
    if !the_box.ports.is_empty() {
        unused.push("ports");
    }
    if the_box.volumes.is_some() {
        unused.push("volumes");
    }
    if the_box.url.is_some() {
        unused.push("url");
    }
    unused.extend(
        the_box
            .other
            .iter()
            .map(|(key, _)| key.as_str())
            .filter(|key| !LOGIN_KEYS.contains(key)),
    );
    (!unused.is_empty()).then(|| {
        format!(
            "werk does not use these keys of {image}: {}",
            unused.join(", ")
        )
    })
}

/// `id[:tag]`, with the repository lower-cased as Docker requires.
pub(crate) fn image_ref(the_box: &BoxConfig) -> String {
    let id = the_box.id.trim();
    let (repository, tag) = split_tag(id);
    let tag = the_box.tag.as_deref().or(tag);
    match tag {
        Some(tag) => format!("{}:{tag}", repository.to_lowercase()),
        None => repository.to_lowercase(),
    }
}

/// Splits `repository[:tag]`, where a `:` before the last `/` belongs to a registry's port.
pub(crate) fn split_tag(id: &str) -> (&str, Option<&str>) {
    let last_slash = id.rfind('/').map_or(0, |i| i + 1);
    match id[last_slash..].rfind(':') {
        Some(at) => (
            &id[..last_slash + at],
            Some(&id[last_slash + at + 1..]).filter(|t| !t.is_empty()),
        ),
        None => (id, None),
    }
}

/// A service's network alias: its `name`, else the last path element of its repository.
pub(crate) fn service_alias(service: &BoxConfig) -> String {
    if let Some(name) = service.name.as_deref().filter(|n| !n.trim().is_empty()) {
        return name.trim().to_owned();
    }
    let (repository, _) = split_tag(service.id.trim());
    repository
        .rsplit('/')
        .next()
        .unwrap_or(repository)
        .to_lowercase()
}

/// The docker-link variables for a service at `ip` exposing `ports` (sorted), with its
/// container environment `env` (`K=V` strings).
pub(crate) fn link_variables(
    alias: &str,
    run_id: &str,
    ip: &str,
    ports: &[(u16, String)],
    env: &[String],
) -> Vec<(String, String)> {
    let prefix = alias.to_uppercase().replace(['-', '.'], "_");
    let mut vars = vec![(
        format!("{prefix}_NAME"),
        format!("/werk-pipeline-{run_id}/{alias}"),
    )];
    if let Some((port, proto)) = ports.first() {
        vars.push((format!("{prefix}_PORT"), format!("{proto}://{ip}:{port}")));
    }
    for (port, proto) in ports {
        let base = format!("{prefix}_PORT_{port}_{}", proto.to_uppercase());
        vars.push((base.clone(), format!("{proto}://{ip}:{port}")));
        vars.push((format!("{base}_ADDR"), ip.to_owned()));
        vars.push((format!("{base}_PORT"), port.to_string()));
        vars.push((format!("{base}_PROTO"), proto.clone()));
    }
    for pair in env {
        if let Some((key, value)) = pair.split_once('=') {
            vars.push((format!("{prefix}_ENV_{key}"), value.to_owned()));
        }
    }
    vars
}

#[cfg(test)]
mod tests {
    use super::*;

    fn boxed(id: &str, tag: Option<&str>) -> BoxConfig {
        BoxConfig {
            id: id.to_owned(),
            tag: tag.map(str::to_owned),
            ..Default::default()
        }
    }

    #[test]
    fn image_references() {
        assert_eq!(image_ref(&boxed("golang:1.10", None)), "golang:1.10");
        assert_eq!(image_ref(&boxed("Golang", Some("1.6"))), "golang:1.6");
        assert_eq!(
            image_ref(&boxed("localhost:5000/team/img:beta", None)),
            "localhost:5000/team/img:beta"
        );
        assert_eq!(
            image_ref(&boxed("localhost:5000/team/img", None)),
            "localhost:5000/team/img"
        );
    }

    #[test]
    fn unused_keys_are_named() {
        let mut the_box = boxed("node", None);
        assert_eq!(unused_keys(&the_box, "node"), None);
        the_box.ports = vec!["3000".into()];
        the_box.other = vec![
            ("username".into(), "u".into()),
            ("aws-region".into(), "x".into()),
        ];
        assert_eq!(
            unused_keys(&the_box, "node").as_deref(),
            Some("werk does not use these keys of node: ports, aws-region")
        );
    }

    #[test]
    fn aliases() {
        let mut service = boxed("interactivesolutions/eatmydata-mysql-server:5", None);
        assert_eq!(service_alias(&service), "eatmydata-mysql-server");
        service.name = Some("db".into());
        assert_eq!(service_alias(&service), "db");
    }

    #[test]
    fn link_variables_follow_docker_links() {
        let ports = vec![(5432, "tcp".to_owned()), (9000, "udp".to_owned())];
        let env = vec!["POSTGRES_USER=werk".to_owned()];
        let vars = link_variables("postgres-1", "abc", "10.0.0.2", &ports, &env);
        let get = |k: &str| {
            vars.iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(
            get("POSTGRES_1_NAME"),
            Some("/werk-pipeline-abc/postgres-1")
        );
        assert_eq!(get("POSTGRES_1_PORT"), Some("tcp://10.0.0.2:5432"));
        assert_eq!(get("POSTGRES_1_PORT_5432_TCP_ADDR"), Some("10.0.0.2"));
        assert_eq!(get("POSTGRES_1_PORT_9000_UDP_PROTO"), Some("udp"));
        assert_eq!(get("POSTGRES_1_ENV_POSTGRES_USER"), Some("werk"));
    }
}
