create table order_lines (order_id bigint not null references orders (id), sku text not null, quantity int not null);
insert into orders (customer) values ('first customer');
