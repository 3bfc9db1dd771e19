//! The vocabulary generated names are drawn from.
//!
//! Names include non-ASCII characters and punctuation on purpose: connectors that
//! mangle UTF-8 or quote badly should fail on simulated data, not in production.

pub(crate) const FIRST_NAMES: &[&str] = &[
    "Ada", "Bruno", "Chloé", "Dmitri", "Eun-ji", "Farah", "Gustavo", "Hanna", "Ivan", "Jun",
    "Kamala", "Lars", "Maëlle", "Nikhil", "Olu", "Priya", "Quentin", "Rosa", "Søren", "Tariq",
    "Uma", "Viktor", "Wen", "Ximena", "Yusuf", "Zoë",
];

pub(crate) const LAST_NAMES: &[&str] = &[
    "Okafor",
    "Lindqvist",
    "García",
    "Nakamura",
    "O'Brien",
    "Kowalski",
    "Haddad",
    "Müller",
    "Dubois",
    "Singh",
    "Costa",
    "Novak",
    "Yilmaz",
    "Andersen",
    "Park",
    "Rossi",
];

pub(crate) const WORKSPACE_NAMES: &[&str] = &[
    "Acme Corp",
    "Globex Engineering",
    "Initech",
    "Umbrella Research",
    "Hooli Ops",
    "Stark Labs",
];

pub(crate) const SPACE_NAMES: &[&str] = &[
    "Product",
    "Engineering",
    "Marketing",
    "Customer Success",
    "Operations",
    "Design",
    "Finance",
    "People",
];

pub(crate) const FOLDER_NAMES: &[&str] = &[
    "Q1 Roadmap",
    "Platform",
    "Campaigns",
    "Onboarding",
    "Infrastructure",
    "Research",
    "Hiring",
    "Billing",
];

pub(crate) const LIST_NAMES: &[&str] = &[
    "Backlog",
    "Sprint",
    "Bugs",
    "Launch checklist",
    "Ideas",
    "Support tickets",
    "Releases",
    "Experiments",
    "Vendors",
    "Docs",
];

pub(crate) const TASK_VERBS: &[&str] = &[
    "Fix",
    "Write",
    "Review",
    "Ship",
    "Investigate",
    "Design",
    "Refactor",
    "Document",
    "Test",
    "Migrate",
    "Plan",
    "Prepare",
];

pub(crate) const TASK_OBJECTS: &[&str] = &[
    "login redirect",
    "invoice export",
    "onboarding email",
    "search ranking",
    "mobile layout",
    "API rate limiter",
    "quarterly report",
    "pricing page",
    "SSO settings",
    "data retention policy",
    "release notes",
    "webhook retries",
    "dashboard filters",
    "“smart” quotes in titles",
    "café menu import",
];

pub(crate) const GOAL_NAMES: &[&str] = &[
    "Grow weekly active users",
    "Cut churn",
    "Ship v2",
    "Hire the platform team",
    "Reduce support backlog",
    "Improve NPS",
    "Launch in Europe",
    "SOC 2 readiness",
];

pub(crate) const COLORS: &[&str] = &[
    "#7b68ee", "#ffa12f", "#f9d900", "#1bbc9c", "#e50000", "#0231e8", "#ff7fab", "#4194f6",
];

pub(crate) const TAGS: &[(&str, &str, &str)] = &[
    ("bug", "#e50000", "#e50000"),
    ("feature", "#0231e8", "#0231e8"),
    ("urgent", "#ff7800", "#ff7800"),
    ("backend", "#1bbc9c", "#1bbc9c"),
    ("frontend", "#7b68ee", "#7b68ee"),
    ("customer", "#f9d900", "#f9d900"),
];

pub(crate) const TIME_DESCRIPTIONS: &[&str] = &[
    "",
    "Pairing",
    "Code review",
    "Customer call",
    "Deep work",
    "Meeting notes",
    "Bug bash",
];
