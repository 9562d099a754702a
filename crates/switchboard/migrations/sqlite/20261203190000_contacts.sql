-- Contacts (contacts/): the people outside the organisation that its jobs call and text. A
-- contact has names, one or more phones (E.164, one primary, each unique in the organisation,
-- which is how imports merge duplicates), an email, an explicit time zone or none (then the
-- zone comes from the number's country when it has one), custom fields as a JSON object, tags,
-- and where the record came from.
CREATE TABLE contacts (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    first_name TEXT NOT NULL DEFAULT '' CHECK (length(first_name) <= 100),
    last_name TEXT NOT NULL DEFAULT '' CHECK (length(last_name) <= 100),
    email TEXT CHECK (email IS NULL OR length(email) <= 254),
    time_zone TEXT CHECK (time_zone IS NULL OR length(time_zone) <= 64),
    fields TEXT NOT NULL DEFAULT '{}' CHECK (length(fields) <= 8192),
    source TEXT NOT NULL CHECK (length(source) BETWEEN 1 AND 60),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX contacts_org ON contacts (org_id, id);

CREATE TABLE contact_phones (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    contact_id BIGINT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    phone TEXT NOT NULL CHECK (length(phone) BETWEEN 2 AND 16),
    is_primary INTEGER NOT NULL CHECK (is_primary = 0 OR is_primary = 1),
    UNIQUE (org_id, phone)
);
CREATE INDEX contact_phones_contact ON contact_phones (contact_id);

CREATE TABLE contact_tags (
    org_id BIGINT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    contact_id BIGINT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    tag TEXT NOT NULL CHECK (length(tag) BETWEEN 1 AND 60),
    PRIMARY KEY (contact_id, tag)
);
CREATE INDEX contact_tags_tag ON contact_tags (org_id, tag);

-- Lists: static (members) or smart (a saved filter, JSON, evaluated when used).
CREATE TABLE contact_lists (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    kind TEXT NOT NULL CHECK (kind = 'static' OR kind = 'smart'),
    filter TEXT CHECK (filter IS NULL OR length(filter) <= 8192),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (org_id, name)
);

CREATE TABLE contact_list_members (
    org_id BIGINT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    list_id BIGINT NOT NULL REFERENCES contact_lists(id) ON DELETE CASCADE,
    contact_id BIGINT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    added_at BIGINT NOT NULL,
    PRIMARY KEY (list_id, contact_id)
);
CREATE INDEX contact_list_members_contact ON contact_list_members (contact_id);

-- CSV imports: one row per upload, its progress while it runs, and the rows it refused.
CREATE TABLE contact_imports (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    file_name TEXT NOT NULL CHECK (length(file_name) <= 255),
    status TEXT NOT NULL CHECK (status = 'running' OR status = 'done' OR status = 'failed'),
    default_country TEXT CHECK (default_country IS NULL OR length(default_country) = 2),
    list_id BIGINT REFERENCES contact_lists(id) ON DELETE SET NULL,
    bytes_total BIGINT,
    bytes_read BIGINT NOT NULL DEFAULT 0,
    rows_read BIGINT NOT NULL DEFAULT 0,
    created BIGINT NOT NULL DEFAULT 0,
    merged BIGINT NOT NULL DEFAULT 0,
    invalid BIGINT NOT NULL DEFAULT 0,
    error TEXT CHECK (error IS NULL OR length(error) <= 1000),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE INDEX contact_imports_org ON contact_imports (org_id, id);

CREATE TABLE contact_import_errors (
    import_id BIGINT NOT NULL REFERENCES contact_imports(id) ON DELETE CASCADE,
    line BIGINT NOT NULL,
    field TEXT CHECK (field IS NULL OR length(field) <= 100),
    reason TEXT NOT NULL CHECK (length(reason) <= 500),
    PRIMARY KEY (import_id, line)
);
