-- +goose Up

-- One-time form tokens (issue 21): every form CareCoord renders carries a
-- fresh random token. The first post of a token claims it here, and when
-- that post succeeds its redirect is recorded, so a repeat of the same post
-- (a double click, a page sent again) answers the same redirect instead of
-- doing the work twice. A post that fails gives its claim up, so the person
-- can correct the form and send it again.
--
-- Global, keyed by user: a token is only ever posted by the person whose
-- page held it, and a post is claimed before its tenant is known. Claims
-- older than a day are deleted when the same user next posts.
create table form_posts (
    user_id    uuid not null references users (id) on delete cascade,
    token      text not null,
    claimed_at timestamptz not null default now(),
    done_at    timestamptz,
    location   text,
    flash      text,
    primary key (user_id, token),
    check ((done_at is null) = (location is null))
);

grant select, insert, update, delete on form_posts to carecoord_app;

-- +goose Down
drop table form_posts;
