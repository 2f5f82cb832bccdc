INSERT INTO bench_single_insert (v) VALUES ('x');
