//! The registry of diagnostic codes: one stable name and one line of meaning per problem.
//! Detection lives with each phase; this table is what the README's diagnostics list mirrors.

macro_rules! codes {
    ($( $variant:ident = $name:literal : $summary:literal, )*) => {
        /// A stable diagnostic code, printed as `dagplan::NAME`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $( #[doc = $summary] $variant, )*
        }

        impl Code {
            /// Every code, in registry order.
            pub const ALL: &'static [Code] = &[ $( Code::$variant, )* ];

            /// The code's name without the `dagplan::` prefix.
            pub fn name(self) -> &'static str {
                match self { $( Code::$variant => $name, )* }
            }

            /// One line saying what problem the code names.
            pub fn summary(self) -> &'static str {
                match self { $( Code::$variant => $summary, )* }
            }
        }
    };
}

codes! {
    // syntax
    Parse = "parse": "the text does not follow the grammar",
    InvalidEscape = "invalid_escape": "a string escape is not one of \\\" \\\\ \\n \\t \\u{...}",
    IntegerOutOfRange = "integer_out_of_range": "an integer literal does not fit in 64 bits",
    // files and imports
    Io = "io": "a file could not be read",
    MissingImport = "missing_import": "an imported file does not exist or cannot be read",
    ImportCycle = "import_cycle": "files import each other in a cycle",
    // names
    DuplicateDefinition = "duplicate_definition": "two items of the same kind share a name",
    UnknownAsset = "unknown_asset": "a referenced asset is not defined",
    UnknownPartitions = "unknown_partitions": "a referenced partitions definition is not defined",
    UnknownJob = "unknown_job": "a referenced job is not defined",
    // item shape
    UnknownField = "unknown_field": "an item has a field it does not know",
    DuplicateField = "duplicate_field": "a field is given twice",
    MissingField = "missing_field": "a required field is absent",
    WrongType = "wrong_type": "a value has the wrong type for where it is written",
    // calls
    UnknownPartitionsKind = "unknown_partitions_kind": "a partitions call names no known kind",
    UnknownMapping = "unknown_mapping": "a mapping call names no known mapping",
    UnknownArgument = "unknown_argument": "a call has an argument it does not take",
    DuplicateArgument = "duplicate_argument": "an argument is given twice",
    MissingArgument = "missing_argument": "a required argument is absent",
    UnexpectedPositional = "unexpected_positional": "a positional argument where only named ones are taken",
    // partitions definitions
    BadTimezone = "bad_timezone": "a timezone is not an IANA zone name",
    BadCron = "bad_cron": "a cron expression is not valid",
    BadFmt = "bad_fmt": "a date format string is not valid",
    BadDatetime = "bad_datetime": "a date or date-time does not parse with the format",
    EmptyRange = "empty_range": "a start is not before its end",
    OffsetOutOfRange = "offset_out_of_range": "a minute, hour or day offset is outside its range",
    DuplicatePartitionKey = "duplicate_partition_key": "a partition key is listed twice",
    InvalidPartitionKey = "invalid_partition_key": "a partition key contains a forbidden character or sequence",
    MultiArity = "multi_arity": "a multi partitions definition has fewer than two dimensions",
    NestedMulti = "nested_multi": "a multi partitions definition contains another multi",
    PartitionsCycle = "partitions_cycle": "partitions definitions refer to each other in a cycle",
    DynamicNameRequired = "dynamic_name_required": "a dynamic dimension inside multi has no name",
    BadBackfill = "bad_backfill": "a backfill policy is not valid",
    // mappings
    IncompatibleMapping = "incompatible_mapping": "a mapping does not fit the partitions of its two assets",
    TimezoneMismatch = "timezone_mismatch": "a time_window mapping joins definitions in different timezones",
    IdentityMismatch = "identity_mismatch": "identity() joins partitions of different kinds (an error), or different definitions of one kind, whose keys it matches by string (a warning)",
    UnknownDimension = "unknown_dimension": "a mapping names a dimension that does not exist",
    UnknownPartitionKey = "unknown_partition_key": "a mapping names a partition key that does not exist",
    AmbiguousDimension = "ambiguous_dimension": "a multi_to_single mapping could match more than one dimension",
    // graph
    Cycle = "cycle": "assets depend on each other in a cycle",
    BadSelection = "bad_selection": "an asset selection string is not valid",
    // planning
    MissingUpstream = "missing_upstream": "a planned partition reads upstream partitions that do not exist",
    DagsterDifference = "dagster_difference": "a plan deliberately differs from what Dagster 1.13 would run",
    PlanTooLarge = "plan_too_large": "a plan would have more runs than --max-runs allows",
    WidenedPartitions = "widened_partitions": "a per-dimension --partitions is widened for an asset below another root",
    // warnings
    UnusedPartitions = "unused_partitions": "a partitions definition is used by no asset",
    DuplicateDep = "duplicate_dep": "an asset lists the same upstream asset twice",
    RedundantMapping = "redundant_mapping": "an explicit mapping is the one Dagster infers anyway",
    EmptySelection = "empty_selection": "a job's selection matches no asset",
    LossyFmt = "lossy_fmt": "a date format cannot tell two partitions apart",
    EmptyStatic = "empty_static": "a static partitions definition has no keys",
    IneffectiveBackfill = "ineffective_backfill": "a backfill policy on an unpartitioned asset has no effect",
    // requests (`dagplan map`)
    NotAdjacent = "not_adjacent": "two assets named in a request are not a direct dependency of each other",
    NoSuchPartition = "no_such_partition": "a partition key given as input is not a partition of its asset as of the time",
    NoDynamicKeys = "no_dynamic_keys": "a selected asset's dynamic partitions have no keys, so it gets no partitions",
    UnmappablePartitions = "unmappable_partitions": "a mapping cannot be evaluated between the two assets' partitions",
    // the state file (`dagplan state`, `plan --state`, `status`)
    BadState = "bad_state": "a state file is not valid TOML or not in the state file's format",
    StateVersion = "state_version": "a state file was written by a newer dagplan than this one",
    StateLocked = "state_locked": "another process held the state file's lock for longer than the timeout",
    UnknownRun = "unknown_run": "a run id is not one of the plan file's runs",
    PlanMismatch = "plan_mismatch": "a plan file was made from a different version of the pipeline",
    NotFresh = "not_fresh": "an asset's newest N partitions (its `freshness = N`) are not all materialized",
    // running (`run = "..."`, `dagplan run`, `dagplan apply`)
    BadTemplate = "bad_template": "a `run` command template does not split into words (a quote or brace left open)",
    UnknownVariable = "unknown_variable": "a `run` command template uses a variable that does not exist",
    UnavailableVariable = "unavailable_variable": "a `run` command template uses a variable its runs have no value for",
    BadDuration = "bad_duration": "a duration is not a number followed by ms, s, m, h or d",
    NoCommand = "no_command": "a planned run materializes an asset that has no `run` command",
    BadPlan = "bad_plan": "a plan file is not a plan document this dagplan reads",
    StalePlan = "stale_plan": "a saved plan was made from another pipeline or state than the current one",
    NotExportable = "not_exportable": "a planned run, or the pipeline itself, cannot be written for the orchestrator an export targets",
    ExportApproximation = "export_approximation": "an export writes the nearest equivalent, with a comment, of something its target cannot express exactly",
    // engines (`dagplan dagster ...`, `state import dagster`)
    DagsterError = "dagster_error": "Dagster could not be reached, or answered with an error or with something that is not its GraphQL API",
    NotLaunchable = "not_launchable": "a plan cannot be launched in Dagster as it is: an asset or a partition Dagster does not have",
}

#[cfg(test)]
mod tests {
    use super::Code;
    use std::collections::BTreeSet;

    #[test]
    fn code_names_are_unique_snake_case() {
        let mut seen = BTreeSet::new();
        for code in Code::ALL {
            assert!(seen.insert(code.name()), "duplicate code {}", code.name());
            assert!(code.name().chars().all(|c| c.is_ascii_lowercase() || c == '_'));
        }
    }
}
