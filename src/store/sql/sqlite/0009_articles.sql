-- 0009: articles (宣传专栏): what staff of an organisation write for the
-- workers it serves — plan explanations, claim guides, FAQs and anonymised
-- real cases.
--
-- articles  one article of one organisation. body_md is Markdown kept
--           verbatim (the web renders it without raw HTML; nothing here
--           interprets it). draft -> published (publish_date set: visible
--           on the portal from that civil date on, China time) ->
--           withdrawn (hidden again; it may be published anew). A
--           published or withdrawn article always has its publish_date.
--           Title 1..100 characters, body 1..20000 bytes of UTF-8 (the
--           domain checks the encoding; these checks are the backstop).
--           created_by / updated_by are app_user ids, NULL for the
--           command line; times are Unix milliseconds.
-- The portal reads published articles per organisation and date, newest
-- first: articles_listing serves (org_id, status, publish_date).

CREATE TABLE articles (
    id             INTEGER PRIMARY KEY,
    org_id         INTEGER NOT NULL REFERENCES org(id),
    category       TEXT NOT NULL CHECK (category IN ('plan', 'guide', 'faq', 'case')),
    title          TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 100),
    body_md        TEXT NOT NULL CHECK (length(CAST(body_md AS BLOB)) BETWEEN 1 AND 20000),
    status         TEXT NOT NULL DEFAULT 'draft'
                     CHECK (status IN ('draft', 'published', 'withdrawn')),
    publish_date   TEXT CHECK (publish_date IS NULL OR length(publish_date) = 10),
    created_by     INTEGER REFERENCES app_user(id),
    updated_by     INTEGER REFERENCES app_user(id),
    created_at_ms  INTEGER NOT NULL,
    updated_at_ms  INTEGER NOT NULL,
    CHECK (status = 'draft' OR publish_date IS NOT NULL)
);
CREATE INDEX articles_listing ON articles(org_id, status, publish_date);
