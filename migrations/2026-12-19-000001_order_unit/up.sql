-- The container unit every line of an order is counted in (盒), so that its progress can
-- say "已发 30/100 盒"; NULL when its lines use different units (10 盒 and 5 瓶 add up to
-- nothing one can name). A unit is its name: 盒（24粒） and 盒（10片） are both boxes.
-- Written once, when the order is placed: an order's lines never change.
ALTER TABLE orders ADD COLUMN unit_name TEXT;

UPDATE orders o
   SET unit_name = l.unit_name
  FROM (SELECT order_id, min(split_part(unit_label, '（', 1)) AS unit_name
          FROM order_lines
         GROUP BY order_id
        HAVING count(DISTINCT split_part(unit_label, '（', 1)) = 1) l
 WHERE l.order_id = o.id;
