create table orders (id bigserial primary key, customer text not null, placed_at timestamptz not null default now());
