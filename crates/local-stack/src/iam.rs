//! IAM in the local stack: each Lambda calls the local Cognito with credentials of its own, and
//! the emulator (`emulator/strict_cognito/iam.py`) refuses an IAM-authorized action that the
//! function's policy in `template.yaml` does not grant, as AWS does (`AccessDeniedException`).
//!
//! The policies are read from the template itself ([`TemplatePolicies`]): each
//! `AWS::Serverless::Function`'s `Policies`, inline statements with `!GetAtt`, `!Ref`, `!Sub` and
//! `!Join` resolved against the local pools ([`LocalResources`]). A policy form the local stack
//! cannot evaluate exactly (a SAM policy template, a managed policy, a `Condition`, a statement
//! without an action or a resource, a function's own `Role` or `PermissionsBoundary`, an
//! `AWS::IAM::Policy` resource) fails the start with a message naming it, rather than granting
//! more or less than AWS would.

use std::{
    collections::{BTreeMap, BTreeSet},
    path::{Path, PathBuf},
};

use anyhow::{Context, anyhow, bail};
use serde_json::{Value as Json, json};
use serde_yaml_ng::Value as Yaml;

/// The account the emulator (moto) runs every call in: its default account.
pub const LOCAL_ACCOUNT: &str = "123456789012";

/// The repository's `template.yaml`.
pub fn template_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../template.yaml")
}

/// The functions of a template and their policy statements, as written (unresolved).
#[derive(Debug, Clone, PartialEq)]
pub struct TemplatePolicies {
    statements: BTreeMap<String, Vec<Yaml>>,
}

impl TemplatePolicies {
    /// The policies of the repository's `template.yaml`.
    pub fn from_repository() -> anyhow::Result<Self> {
        let path = template_path();
        let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
        Self::from_template(&text).with_context(|| format!("reading the policies of {}", path.display()))
    }

    /// The policies of the template `text` (YAML, CloudFormation's short tags allowed).
    pub fn from_template(text: &str) -> anyhow::Result<Self> {
        let template: Yaml = serde_yaml_ng::from_str(text)?;
        let resources = template["Resources"].as_mapping().ok_or_else(|| anyhow!("no Resources"))?;
        let mut statements = BTreeMap::new();
        for (name, resource) in resources {
            let name = name.as_str().ok_or_else(|| anyhow!("a resource id that is not text"))?;
            match resource["Type"].as_str() {
                Some("AWS::Serverless::Function") => {}
                Some(kind @ ("AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy")) => {
                    bail!("{name}: an {kind} resource, which the local stack does not evaluate")
                }
                _ => continue,
            }
            let properties = &resource["Properties"];
            for unsupported in ["Role", "PermissionsBoundary"] {
                if !properties[unsupported].is_null() {
                    bail!("{name}: a {unsupported}, which the local stack does not evaluate");
                }
            }
            let found = function_statements(&properties["Policies"]).with_context(|| format!("{name}'s Policies"))?;
            statements.insert(name.to_string(), found);
        }
        Ok(Self { statements })
    }

    /// The functions' logical ids.
    pub fn functions(&self) -> impl Iterator<Item = &str> {
        self.statements.keys().map(String::as_str)
    }

    /// The actions `function`'s statements allow (`cognito-idp:ListUsers`, ...), as written.
    pub fn allowed_actions(&self, function: &str) -> BTreeSet<String> {
        let statements = self.statements.get(function).map(Vec::as_slice).unwrap_or_default();
        statements.iter().filter(|s| s["Effect"].as_str() == Some("Allow")).flat_map(|s| listed(&s["Action"])).collect()
    }

    /// The same policies with `action` taken out of every statement of `function` (for the
    /// tests that show a missing grant fails): a statement left with no action is dropped.
    pub fn without_action(mut self, function: &str, action: &str) -> Self {
        if let Some(statements) = self.statements.get_mut(function) {
            for statement in statements.iter_mut().filter(|s| !s["Action"].is_null()) {
                let kept: Vec<Yaml> =
                    listed(&statement["Action"]).into_iter().filter(|a| a != action).map(Yaml::String).collect();
                statement["Action"] = Yaml::Sequence(kept);
            }
            statements.retain(|s| s["Action"].as_sequence().is_none_or(|a| !a.is_empty()));
        }
        self
    }

    /// Each function's statements as IAM JSON, resolved against `local`.
    pub fn resolve(&self, local: &LocalResources) -> anyhow::Result<BTreeMap<String, Vec<Json>>> {
        self.statements
            .iter()
            .map(|(function, statements)| {
                let resolved = statements
                    .iter()
                    .map(|s| local.resolve(s))
                    .collect::<anyhow::Result<Vec<_>>>()
                    .with_context(|| format!("resolving {function}'s policy"))?;
                Ok((function.clone(), resolved))
            })
            .collect()
    }
}

/// The statements of one function's `Policies` (a list of inline policy documents).
fn function_statements(policies: &Yaml) -> anyhow::Result<Vec<Yaml>> {
    let items = match policies {
        Yaml::Null => return Ok(Vec::new()),
        Yaml::Sequence(items) => items.clone(),
        other => vec![other.clone()],
    };
    let mut statements = Vec::new();
    for item in items {
        let Some(document) = item.as_mapping() else {
            bail!("managed policy {item:?}: the local stack evaluates inline statements only");
        };
        let Some(listed) = document.get("Statement") else {
            let name = document.keys().next().and_then(Yaml::as_str).unwrap_or("?");
            bail!("policy template {name}: the local stack evaluates inline statements only");
        };
        let listed = match listed {
            Yaml::Sequence(s) => s.clone(),
            one => vec![one.clone()],
        };
        for statement in listed {
            if !statement["Condition"].is_null() {
                bail!("a statement with a Condition: the local stack cannot evaluate conditions");
            }
            if !matches!(statement["Effect"].as_str(), Some("Allow" | "Deny")) {
                bail!("a statement whose Effect is not Allow or Deny");
            }
            // IAM refuses a statement without exactly one of each pair.
            for (one, other) in [("Action", "NotAction"), ("Resource", "NotResource")] {
                if statement[one].is_null() == statement[other].is_null() {
                    bail!("a statement needs exactly one of {one} and {other}");
                }
            }
            statements.push(statement);
        }
    }
    Ok(statements)
}

fn listed(value: &Yaml) -> Vec<String> {
    match value {
        Yaml::String(s) => vec![s.clone()],
        Yaml::Sequence(items) => items.iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
        _ => Vec::new(),
    }
}

/// What the template's references name in the local stack.
#[derive(Debug, Clone)]
pub struct LocalResources {
    /// The region.
    pub region: String,
    /// `UserPool`'s id.
    pub user_pool_id: String,
    /// `IdentityPool`'s id.
    pub identity_pool_id: String,
}

impl LocalResources {
    fn reference(&self, name: &str) -> anyhow::Result<String> {
        Ok(match name {
            "UserPool" => self.user_pool_id.clone(),
            "IdentityPool" => self.identity_pool_id.clone(),
            "AWS::Region" => self.region.clone(),
            "AWS::AccountId" => LOCAL_ACCOUNT.into(),
            "AWS::Partition" => "aws".into(),
            "AWS::URLSuffix" => "amazonaws.com".into(),
            other => bail!("!Ref {other}: not a resource the local stack has"),
        })
    }

    fn attribute(&self, resource: &str, attribute: &str) -> anyhow::Result<String> {
        let (region, pool) = (&self.region, &self.user_pool_id);
        Ok(match (resource, attribute) {
            ("UserPool", "Arn") => format!("arn:aws:cognito-idp:{region}:{LOCAL_ACCOUNT}:userpool/{pool}"),
            ("UserPool", "ProviderName") => format!("cognito-idp.{region}.amazonaws.com/{pool}"),
            _ => bail!("!GetAtt {resource}.{attribute}: not an attribute the local stack has"),
        })
    }

    /// `${Name}` and `${Resource.Attribute}` in a `!Sub` text.
    fn substitute(&self, text: &str, variables: &BTreeMap<String, String>) -> anyhow::Result<String> {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let end = rest[start..].find('}').ok_or_else(|| anyhow!("unclosed ${{ in !Sub {text:?}"))? + start;
            let name = &rest[start + 2..end];
            let value = match (variables.get(name), name.split_once('.')) {
                (Some(v), _) => v.clone(),
                (None, Some((resource, attribute))) => self.attribute(resource, attribute)?,
                (None, None) => self.reference(name)?,
            };
            out.push_str(&value);
            rest = &rest[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }

    /// `value` with every intrinsic function resolved, as JSON.
    pub fn resolve(&self, value: &Yaml) -> anyhow::Result<Json> {
        Ok(match value {
            Yaml::Null => Json::Null,
            Yaml::Bool(b) => json!(b),
            Yaml::Number(n) => serde_json::to_value(n)?,
            Yaml::String(s) => json!(s),
            Yaml::Sequence(items) => Json::Array(items.iter().map(|v| self.resolve(v)).collect::<anyhow::Result<_>>()?),
            Yaml::Mapping(map) => {
                if map.len() == 1
                    && let Some((Yaml::String(key), inner)) = map.iter().next()
                    && let Some(function) = key.strip_prefix("Fn::").or((key == "Ref").then_some("Ref"))
                {
                    return self.intrinsic(function, inner).map(Json::String);
                }
                let mut out = serde_json::Map::new();
                for (k, v) in map {
                    let key = k.as_str().ok_or_else(|| anyhow!("a key that is not text"))?;
                    out.insert(key.to_string(), self.resolve(v)?);
                }
                Json::Object(out)
            }
            Yaml::Tagged(tagged) => {
                self.intrinsic(tagged.tag.to_string().trim_start_matches('!'), &tagged.value)?.into()
            }
        })
    }

    fn intrinsic(&self, function: &str, argument: &Yaml) -> anyhow::Result<String> {
        let text = |v: &Yaml| -> anyhow::Result<String> {
            match self.resolve(v)? {
                Json::String(s) => Ok(s),
                other => bail!("{function} of {other}: text expected"),
            }
        };
        match function {
            "Ref" => self.reference(argument.as_str().ok_or_else(|| anyhow!("!Ref takes a name"))?),
            "GetAtt" => {
                let (resource, attribute) = match argument {
                    Yaml::String(s) => s.split_once('.').ok_or_else(|| anyhow!("!GetAtt {s}: Resource.Attribute"))?,
                    Yaml::Sequence(parts) if parts.len() == 2 => (
                        parts[0].as_str().ok_or_else(|| anyhow!("!GetAtt's resource"))?,
                        parts[1].as_str().ok_or_else(|| anyhow!("!GetAtt's attribute"))?,
                    ),
                    other => bail!("!GetAtt {other:?}"),
                };
                self.attribute(resource, attribute)
            }
            "Sub" => match argument {
                Yaml::String(s) => self.substitute(s, &BTreeMap::new()),
                Yaml::Sequence(parts) if parts.len() == 2 => {
                    let template = parts[0].as_str().ok_or_else(|| anyhow!("!Sub's text"))?;
                    let mut variables = BTreeMap::new();
                    for (k, v) in parts[1].as_mapping().ok_or_else(|| anyhow!("!Sub's variables"))? {
                        variables.insert(k.as_str().unwrap_or_default().to_string(), text(v)?);
                    }
                    self.substitute(template, &variables)
                }
                other => bail!("!Sub {other:?}"),
            },
            "Join" => {
                let parts = argument.as_sequence().filter(|p| p.len() == 2).ok_or_else(|| anyhow!("!Join"))?;
                let separator = parts[0].as_str().ok_or_else(|| anyhow!("!Join's separator"))?;
                let items = parts[1].as_sequence().ok_or_else(|| anyhow!("!Join's list"))?;
                Ok(items.iter().map(text).collect::<anyhow::Result<Vec<_>>>()?.join(separator))
            }
            other => bail!("!{other}: not an intrinsic function the local stack resolves"),
        }
    }
}

/// A function's identity in the local stack: its own access key, and the role it acts as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionIdentity {
    /// The access key id the function signs with (names it to the emulator).
    pub access_key_id: String,
    /// The matching secret key (the emulator does not check signatures).
    pub secret_access_key: String,
    /// The principal AWS would name: the assumed role SAM creates for the function.
    pub principal_arn: String,
}

impl FunctionIdentity {
    /// The identity of the function `logical_id` (`UsersFunction`).
    pub fn of(logical_id: &str) -> Self {
        Self {
            access_key_id: format!("ASIALOCAL{}", logical_id.to_uppercase()),
            secret_access_key: format!("local-{logical_id}"),
            principal_arn: format!("arn:aws:sts::{LOCAL_ACCOUNT}:assumed-role/{logical_id}Role/{logical_id}"),
        }
    }
}

/// The emulator's principals file (`STRICT_COGNITO_IAM`): who may do what. A temporary file,
/// removed when dropped.
#[derive(Debug)]
pub struct Principals {
    path: PathBuf,
}

impl Principals {
    /// A new file naming the deployer alone (`deployer_key`: the account's own credentials,
    /// allowed everything, as CloudFormation deploys the stack), before the pools exist.
    pub fn new(deployer_key: &str) -> anyhow::Result<Self> {
        let path = std::env::temp_dir().join(format!("local-stack-iam-{}.json", uuid::Uuid::new_v4()));
        let principals = Self { path };
        principals.write(deployer_key, &BTreeMap::new())?;
        Ok(principals)
    }

    /// Where the emulator reads it.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Names the deployer and each function with its resolved statements (replacing the file
    /// whole, so the emulator never reads half of it).
    pub fn write(&self, deployer_key: &str, functions: &BTreeMap<String, Vec<Json>>) -> anyhow::Result<()> {
        let mut principals = serde_json::Map::new();
        principals.insert(
            deployer_key.to_string(),
            json!({
                "arn": format!("arn:aws:iam::{LOCAL_ACCOUNT}:root"),
                "statements": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
            }),
        );
        for (function, statements) in functions {
            let identity = FunctionIdentity::of(function);
            principals.insert(identity.access_key_id, json!({"arn": identity.principal_arn, "statements": statements}));
        }
        let staged = self.path.with_extension(format!("{}.new", uuid::Uuid::new_v4()));
        std::fs::write(&staged, serde_json::to_vec_pretty(&json!({ "principals": principals }))?)?;
        std::fs::rename(&staged, &self.path)?;
        Ok(())
    }
}

impl Drop for Principals {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local() -> LocalResources {
        LocalResources {
            region: "us-east-1".into(),
            user_pool_id: "us-east-1_abc".into(),
            identity_pool_id: "us-east-1:id".into(),
        }
    }

    #[test]
    fn resolves_the_intrinsics_policies_use() {
        let policies = TemplatePolicies::from_template(
            r#"
Resources:
  F:
    Type: AWS::Serverless::Function
    Properties:
      Policies:
        - Statement:
            - Effect: Allow
              Action: [cognito-idp:ListUsers]
              Resource:
                - !GetAtt UserPool.Arn
                - !Sub "arn:${AWS::Partition}:cognito-identity:${AWS::Region}:${AWS::AccountId}:identitypool/${IdentityPool}"
                - !Join ["/", [!Sub "${UserPool.Arn}", x]]
                - {"Fn::GetAtt": [UserPool, Arn]}
"#,
        )
        .unwrap();
        let resolved = policies.resolve(&local()).unwrap();
        assert_eq!(
            resolved["F"][0]["Resource"],
            json!([
                "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc",
                "arn:aws:cognito-identity:us-east-1:123456789012:identitypool/us-east-1:id",
                "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc/x",
                "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc",
            ])
        );
    }

    #[test]
    fn refuses_policy_forms_it_cannot_evaluate_exactly() {
        for policies in [
            "- AmazonCognitoPowerUser",
            "- CognitoReadOnlyPolicy: {}",
            "- Statement: [{Effect: Allow, Action: '*', Resource: '*', Condition: {Bool: {a: b}}}]",
            "- Statement: [{Effect: Allow, Actions: '*', Resource: '*'}]",
            "- Statement: [{Effect: Allow, Action: '*'}]",
            "- Statement: [{Effect: Allow, Action: '*', NotAction: x, Resource: '*'}]",
        ] {
            let template = format!(
                "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      Policies:\n        {policies}\n"
            );
            assert!(TemplatePolicies::from_template(&template).is_err(), "{policies} accepted");
        }
        for elsewhere in [
            "  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      Role: arn:aws:iam::1:role/r\n",
            "  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      PermissionsBoundary: arn:x\n",
            "  P:\n    Type: AWS::IAM::Policy\n    Properties: {}\n",
        ] {
            let template = format!("Resources:\n{elsewhere}");
            assert!(TemplatePolicies::from_template(&template).is_err(), "{elsewhere} accepted");
        }
    }

    #[test]
    fn without_action_removes_one_grant_and_keeps_the_rest() {
        let policies = TemplatePolicies::from_repository().unwrap();
        let before = policies.allowed_actions("UsersFunction");
        assert!(before.contains("cognito-idp:ListUsers"));
        let after = policies.without_action("UsersFunction", "cognito-idp:ListUsers").allowed_actions("UsersFunction");
        let mut expected = before;
        expected.remove("cognito-idp:ListUsers");
        assert_eq!(after, expected);
    }
}
