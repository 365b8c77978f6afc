-- +goose Up
-- The signed-in user of a session, beside scs's encoded data, so that one
-- round trip can read a request's session, its user and their memberships
-- (issue 22). Sessions saved before this have none and are read the old way.
alter table sessions add column user_id uuid;

-- +goose Down
alter table sessions drop column user_id;
