-- +goose Up

-- A patient name search that forgives what people type (issue 16): accents
-- and case either way, one swapped, dropped, doubled or wrong letter in any
-- word (short words too), hyphens as spaces, either order, and nicknames.
--
-- Still no trigram index (see 00003: pg_trgm is not leakproof, so under
-- row-level security no index evaluates it). Typo tolerance comes from
-- equality keys instead, in two steps:
--
-- 1. patient_name_keys now holds each patient's folded *words* (the key
--    column is the word): Ramón Rodríguez-Pérez has ramon, rodriguez,
--    perez and rodriguezperez (a hyphenated name typed as one word). Each
--    row also carries the patient's family and given names, the list's
--    order among equal scores, so that a page of a search for a common
--    name ("Maria": 3,000 patients) is chosen without reading 3,000
--    patients; only the page's 25 are read.
-- 2. patient_name_vocab holds, once per distinct word of the tenant, the
--    keys that find that word: its prefixes ('p'), its one-letter
--    deletions and itself ('d', the SymSpell idea: two words one edit
--    apart share a deletion: a dropped or added letter is the shorter word
--    itself, a wrong letter or a swapped pair deletes to the same string on
--    both sides), and its Double Metaphone sound ('s').
--
-- A search folds and splits what was typed the same way, finds the words
-- of the vocabulary with its keys, scores each word found (4 the same
-- word, 3 a prefix of it or a nickname of it, 2 one edit away, counting a
-- swap as one, 1 only the same sound), and then the patients having those
-- words: a patient's score is the sum, over the words typed, of the best
-- word of theirs. Exact and prefix matches thus rank above typos.
--
-- Why a vocabulary rather than deletion keys per patient: a name word of n
-- letters has about n deletions, so per-patient deletion keys would have
-- tripled 00003's 830,000 keys on the bigcare scale tenant (100,000
-- patients). Measured there instead: 218,826 word rows (31 MB) and a
-- vocabulary of 14,457 distinct words with 243,100 keys (29 MB), fewer rows
-- than before; a typo costs a lookup among words, not among patients. A
-- vocabulary word is never removed when a patient is renamed: a word
-- nobody holds any more finds nobody.
create extension if not exists unaccent;

-- +goose StatementBegin
-- patient_name_fold is lower case without accents (Ł → l, ß → ss). unaccent
-- with one argument is only STABLE (it looks its dictionary up by search
-- path); naming the dictionary makes the result depend on the text alone.
create function patient_name_fold(name text) returns text
language sql immutable strict parallel safe
as $$
    select lower(public.unaccent('public.unaccent'::regdictionary, name))
$$;
-- +goose StatementEnd

-- +goose StatementBegin
-- patient_name_terms are the words a name is found by: folded, apostrophes
-- joining (O'Brien is obrien), hyphens and anything else not a letter
-- splitting, plus each hyphenated part-run joined (Ji-woo also jiwoo).
create function patient_name_terms(name text) returns setof text
language sql immutable strict parallel safe rows 3
as $$
    select distinct w
      from regexp_split_to_table(patient_name_fold(translate(name, '''’`', '')), '[^[:alpha:]-]+') t,
           lateral (select unnest(regexp_split_to_array(t, '-+')) union all select replace(t, '-', '')) v(w)
     where w <> ''
$$;
-- +goose StatementEnd

-- +goose StatementBegin
-- patient_word_deletions are the word and each way of leaving one letter
-- out of it.
create function patient_word_deletions(w text) returns text[]
language sql immutable strict parallel safe
as $$
    select array_agg(distinct left(w, i - 1) || substr(w, i + 1)) || w
      from generate_series(1, length(w)) i
$$;
-- +goose StatementEnd

-- +goose StatementBegin
-- patient_vocab_keys are what a word of the vocabulary is found by.
create function patient_vocab_keys(w text) returns text[]
language sql immutable strict parallel safe
as $$
    select array(
        select 'p' || left(w, n) from generate_series(2, length(w)) n
        union
        select 'd' || d from unnest(patient_word_deletions(w)) d where d <> ''
        union
        select 's' || m from dmetaphone(w) m where m <> '' and length(w) >= 3)
$$;
-- +goose StatementEnd

-- +goose StatementBegin
-- patient_word_search_keys are what a typed word looks for: the vocabulary
-- words it is, is one edit from, sounds like, or (when prefix) begins.
create function patient_word_search_keys(q text, prefix bool) returns text[]
language sql immutable strict parallel safe
as $$
    select array(
        select 'p' || q where prefix and length(q) >= 2
        union
        select 'd' || d from unnest(patient_word_deletions(q)) d where d <> ''
        union
        select 's' || m from dmetaphone(q) m where m <> '' and length(q) >= 3)
$$;
-- +goose StatementEnd

-- +goose StatementBegin
-- patient_word_score is how well a word of a name w answers a typed word
-- q: 4 the same, 3 w begins with q (when prefix), 2 one letter dropped, added, changed
-- or two neighbours swapped, 1 the same Double Metaphone sound, 0 not at
-- all (two words sharing a deletion may be two edits apart: "le" and "al").
create function patient_word_score(q text, w text, prefix bool) returns int
language sql immutable strict parallel safe
as $$
    select case
        when w = q then 4
        when prefix and length(q) >= 2 and left(w, length(q)) = q then 3
        when levenshtein(q, w) = 1 then 2
        when length(q) = length(w) and exists (
            select 1 from generate_series(1, length(q) - 1) i
             where q = left(w, i - 1) || substr(w, i + 1, 1) || substr(w, i, 1) || substr(w, i + 2)) then 2
        when length(q) >= 3 and length(w) >= 3 and dmetaphone(q) <> '' and dmetaphone(q) = dmetaphone(w) then 1
        else 0
    end
$$;
-- +goose StatementEnd

-- Nicknames and the given names they stand for, written from common
-- knowledge of English and Spanish usage; both directions are searched,
-- and two nicknames of one name find each other (Bob finds Robbie).
create table given_name_nicknames (
    name     text not null,
    nickname text not null,
    primary key (name, nickname)
);
create index given_name_nicknames_nickname_idx on given_name_nicknames (nickname);
insert into given_name_nicknames (name, nickname)
select n, unnest(string_to_array(nicks, ' '))
  from (values
    ('robert', 'bob bobby rob robbie bert'), ('william', 'bill billy will willie liam'),
    ('elizabeth', 'liz lizzie beth betty betsy eliza libby'), ('margaret', 'peggy peg maggie meg marge margie greta'),
    ('richard', 'rick ricky dick rich'), ('james', 'jim jimmy jamie'), ('john', 'jack johnny'),
    ('joseph', 'joe joey'), ('michael', 'mike mikey mick'), ('thomas', 'tom tommy'),
    ('charles', 'charlie chuck'), ('edward', 'ed eddie ted ned'), ('christopher', 'chris kit'),
    ('daniel', 'dan danny'), ('anthony', 'tony'), ('katherine', 'kate kathy katie kay kitty'),
    ('catherine', 'cathy cate kate katie'), ('kathryn', 'kathy kate katie'), ('kathleen', 'kathy kate katie'),
    ('patricia', 'pat patty trish tricia'), ('patrick', 'pat paddy'), ('jennifer', 'jen jenny'),
    ('susan', 'sue susie'), ('deborah', 'deb debbie'), ('debra', 'deb debbie'), ('dorothy', 'dot dottie'),
    ('barbara', 'barb babs'), ('rebecca', 'becky becca'), ('theodore', 'ted teddy theo'),
    ('alexander', 'alex al sandy'), ('alexandra', 'alex sandy'), ('samuel', 'sam sammy'),
    ('samantha', 'sam sammy'), ('benjamin', 'ben benny'), ('nicholas', 'nick nicky'), ('matthew', 'matt'),
    ('andrew', 'andy drew'), ('stephen', 'steve'), ('steven', 'steve'), ('gregory', 'greg'),
    ('timothy', 'tim timmy'), ('kenneth', 'ken kenny'), ('donald', 'don donnie'), ('ronald', 'ron ronnie'),
    ('raymond', 'ray'), ('lawrence', 'larry'), ('gerald', 'gerry jerry'), ('jeffrey', 'jeff'),
    ('frederick', 'fred freddie'), ('albert', 'al bert'), ('henry', 'hank harry'), ('harold', 'harry hal'),
    ('walter', 'walt wally'), ('francis', 'frank fran'), ('frances', 'fran frannie'), ('virginia', 'ginny'),
    ('eleanor', 'ellie nell nora'), ('helen', 'nell'), ('victoria', 'vicky tori'), ('jacqueline', 'jackie'),
    ('pamela', 'pam'), ('cynthia', 'cindy'), ('sandra', 'sandy'), ('judith', 'judy'), ('carolyn', 'carrie'),
    ('caroline', 'carrie'), ('christine', 'chris tina'), ('christina', 'chris tina'), ('valerie', 'val'),
    ('josephine', 'jo josie'), ('abigail', 'abby'), ('jose', 'pepe'), ('francisco', 'paco pancho'),
    ('guadalupe', 'lupe'), ('concepcion', 'concha'), ('dolores', 'lola'), ('ignacio', 'nacho'),
    ('jesus', 'chuy'), ('enrique', 'quique')) v(n, nicks);
grant select on given_name_nicknames to carecoord_app;

-- +goose StatementBegin
-- patient_search_terms are the words typed, numbered, and the names and
-- nicknames each word may stand for (same number, nickname true). prefix:
-- the word may be the start of a name. A word of two letters among others
-- is taken as whole (Le, Li, Wu): as a start it would find hundreds of
-- names (le: Lee, Leon, Lewis, Lefebvre…) and make the search slow.
create function patient_search_terms(query text) returns table (i int, term text, nickname bool, prefix bool)
language sql stable strict parallel safe rows 4
as $$
    with typed as (select (row_number() over ())::int i, w, count(*) over () n from patient_name_terms(query) w)
    select i, w, false, length(w) >= 3 or n = 1 from typed
    union
    select t.i, v.other, true, false
      from typed t,
           lateral (select n.nickname from given_name_nicknames n where n.name = t.w
                    union select n.name from given_name_nicknames n where n.nickname = t.w
                    union select s.nickname from given_name_nicknames n
                      join given_name_nicknames s on s.name = n.name where n.nickname = t.w) v(other)
     where v.other <> t.w
$$;
-- +goose StatementEnd

alter table patient_name_keys
    add column family_name text not null default '',
    add column given_name text not null default '';

create table patient_name_vocab (
    tenant_id uuid not null,
    key       text not null,
    word      text not null,
    primary key (tenant_id, key, word)
);
alter table patient_name_vocab enable row level security;
alter table patient_name_vocab force row level security;
create policy tenant_isolation on patient_name_vocab
    using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
-- Intake adds the words it brings; nothing deletes them.
grant select, insert on patient_name_vocab to carecoord_app;

-- +goose StatementBegin
-- The words follow the names in the same statement; a word new to the
-- tenant brings its keys. Two intakes adding the same new word at once
-- both insert its keys: the primary key keeps one.
create or replace function patients_sync_name_keys() returns trigger
language plpgsql
as $$
declare
    words text[] := array(select patient_name_terms(new.search_name));
begin
    if tg_op = 'UPDATE' then
        -- Not only the search name: the rows carry the names as written.
        if (new.given_name, new.family_name, new.preferred_name) = (old.given_name, old.family_name, old.preferred_name) then
            return null;
        end if;
        delete from patient_name_keys
         where tenant_id = old.tenant_id and key = any(array(select patient_name_terms(old.search_name))) and patient_id = old.id;
    end if;
    insert into patient_name_keys (tenant_id, key, patient_id, family_name, given_name)
    select new.tenant_id, w, new.id, new.family_name, new.given_name from unnest(words) w;
    insert into patient_name_vocab (tenant_id, key, word)
    select new.tenant_id, k, w
      from unnest(words) w, unnest(patient_vocab_keys(w)) k
     where not exists (select 1 from patient_name_vocab v where v.tenant_id = new.tenant_id and v.key = 'd' || w and v.word = w)
    on conflict do nothing;
    return null;
end
$$;
-- +goose StatementEnd

-- Every patient's keys are rebuilt as words. FORCE binds the owner too, so
-- it is lifted for the backfill only; the migration is one transaction.
alter table patients no force row level security;
alter table patient_name_keys no force row level security;
alter table patient_name_vocab no force row level security;
delete from patient_name_keys;
insert into patient_name_keys (tenant_id, key, patient_id, family_name, given_name)
select p.tenant_id, w, p.id, p.family_name, p.given_name from patients p, patient_name_terms(p.search_name) w;
insert into patient_name_vocab (tenant_id, key, word)
select t.tenant_id, k, t.key
  from (select distinct tenant_id, key from patient_name_keys) t, unnest(patient_vocab_keys(t.key)) k;
alter table patients force row level security;
alter table patient_name_keys force row level security;
alter table patient_name_vocab force row level security;
-- Autovacuum may be off: the planner needs to know what was filled.
analyze patient_name_keys;
analyze patient_name_vocab;

-- +goose Down
alter table patient_name_keys no force row level security;
alter table patients no force row level security;
delete from patient_name_keys;
insert into patient_name_keys (tenant_id, key, patient_id)
select p.tenant_id, k, p.id from patients p, unnest(patient_name_keys(p.search_name)) k;
alter table patients force row level security;
alter table patient_name_keys force row level security;
alter table patient_name_keys drop column family_name, drop column given_name;
-- +goose StatementBegin
create or replace function patients_sync_name_keys() returns trigger
language plpgsql
as $$
begin
    if tg_op = 'UPDATE' then
        if new.search_name = old.search_name then
            return null;
        end if;
        delete from patient_name_keys
         where tenant_id = old.tenant_id and key = any(patient_name_keys(old.search_name)) and patient_id = old.id;
    end if;
    insert into patient_name_keys (tenant_id, key, patient_id)
    select new.tenant_id, k, new.id from unnest(patient_name_keys(new.search_name)) k;
    return null;
end
$$;
-- +goose StatementEnd
drop table patient_name_vocab;
drop function patient_search_terms(text);
drop table given_name_nicknames;
drop function patient_word_score(text, text, bool);
drop function patient_word_search_keys(text, bool);
drop function patient_vocab_keys(text);
drop function patient_word_deletions(text);
drop function patient_name_terms(text);
drop function patient_name_fold(text);
