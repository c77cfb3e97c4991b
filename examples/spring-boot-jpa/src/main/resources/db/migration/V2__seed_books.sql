INSERT INTO books (title, author, published_year) VALUES ('A Wizard of Earthsea', 'Ursula K. Le Guin', 1968);
INSERT INTO books (title, author, published_year) VALUES ('The Left Hand of Darkness', 'Ursula K. Le Guin', 1969);
INSERT INTO books (title, author, published_year) VALUES ('The Dispossessed', 'Ursula K. Le Guin', 1974);
INSERT INTO books (title, author, published_year) VALUES ('Kindred', 'Octavia E. Butler', 1979);
