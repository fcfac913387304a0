//! A DAG of any size as Argo DAG templates of at most `most` tasks: consecutive tasks form
//! groups (a template each), and the groups a DAG of their own, as deep as needed. A group
//! waits for every group holding one of its tasks' dependencies.

use std::collections::BTreeSet;

use serde_json::{json, Map, Value};

/// A task to place: `deps` index earlier items; `body` is the task without `dependencies`.
pub struct Item {
    pub name: String,
    pub deps: Vec<usize>,
    pub body: Map<String, Value>,
}

/// The DAG templates that run `items`, the one named `name` first.
pub fn nest(items: Vec<Item>, name: &str, most: usize) -> Vec<Value> {
    let mut out = Vec::new();
    place(items, name, most, &mut 0, &mut out);
    out
}

/// Places `items` in template `name`; groups are named `group-0001`, ... in creation order
/// (`made` counts them), so names stay unique however deep the nesting.
fn place(items: Vec<Item>, name: &str, most: usize, made: &mut usize, out: &mut Vec<Value>) {
    if items.len() <= most {
        let at = out.len();
        out.insert(at, dag(name, &items));
        return;
    }
    let groups = items.len().div_ceil(most);
    let mut group_items = Vec::with_capacity(groups);
    let mut rest = Vec::new();
    let mut items = items;
    let names: Vec<String> = (0..groups).map(|g| format!("group-{:04}", *made + g + 1)).collect();
    *made += groups;
    let group_deps: Vec<Vec<usize>> = (0..groups)
        .map(|g| {
            let range = g * most..((g + 1) * most).min(items.len());
            let deps: BTreeSet<usize> =
                items[range].iter().flat_map(|i| i.deps.iter().map(|&d| d / most)).filter(|&h| h != g).collect();
            deps.into_iter().collect()
        })
        .collect();
    for g in (0..groups).rev() {
        let start = g * most;
        let group: Vec<Item> = items
            .drain(start..)
            .map(|mut i| {
                i.deps = i.deps.iter().filter(|&&d| d >= start).map(|&d| d - start).collect();
                i
            })
            .collect();
        rest.push((g, group));
    }
    rest.reverse();
    for (g, _) in &rest {
        let mut body = Map::new();
        body.insert("name".into(), json!(names[*g]));
        body.insert("template".into(), json!(names[*g]));
        group_items.push(Item { name: names[*g].clone(), deps: group_deps[*g].clone(), body });
    }
    // The parent first, then each group's templates in order.
    place(group_items, name, most, made, out);
    for (g, group) in rest {
        place(group, &names[g], most, made, out);
    }
}

fn dag(name: &str, items: &[Item]) -> Value {
    let tasks: Vec<Value> = items
        .iter()
        .map(|i| {
            let mut t = i.body.clone();
            if !i.deps.is_empty() {
                let deps: BTreeSet<usize> = i.deps.iter().copied().collect();
                let names: Vec<&str> = deps.iter().map(|&d| items[d].name.as_str()).collect();
                t.insert("dependencies".into(), json!(names));
            }
            Value::Object(t)
        })
        .collect();
    json!({"name": name, "dag": {"tasks": tasks}})
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: usize) -> Vec<Item> {
        (0..n)
            .map(|i| Item {
                name: format!("t{i}"),
                deps: if i == 0 { vec![] } else { vec![i - 1] },
                body: json!({"name": format!("t{i}")}).as_object().cloned().unwrap_or_default(),
            })
            .collect()
    }

    #[test]
    fn small_dags_are_one_template() {
        let t = nest(chain(3), "main", 4);
        assert_eq!(t.len(), 1);
        assert_eq!(t[0]["dag"]["tasks"][2]["dependencies"], json!(["t1"]));
    }

    #[test]
    fn large_dags_nest_within_the_limit() {
        let t = nest(chain(20), "main", 4);
        // 20 tasks -> 5 groups of 4 -> 2 groups of groups under main, then the 5 leaf groups.
        let names: Vec<&str> = t.iter().map(|t| t["name"].as_str().unwrap_or_default()).collect();
        assert_eq!(names[0], "main");
        for tpl in &t {
            assert!(tpl["dag"]["tasks"].as_array().map_or(0, Vec::len) <= 4, "{tpl}");
        }
        let leaves: usize = t
            .iter()
            .flat_map(|tpl| tpl["dag"]["tasks"].as_array().cloned().unwrap_or_default())
            .filter(|task| task.get("template").is_none())
            .count();
        assert_eq!(leaves, 20);
        assert_eq!(names.len(), 8);
        assert_eq!(names.iter().collect::<BTreeSet<_>>().len(), names.len(), "{names:?}");
    }
}
