-- A customer's search grams now hold its phone's digits alone as well
-- (`customer::search_grams`): a landline stored "0731-28561000" is found by
-- "073128561000" and "0731 2856 1000". Add them to the rows stored before: every run of
-- one to three digits, as `search::grams` makes them. Phones of digits alone have them.
UPDATE customers c
   SET search_grams = ARRAY(
         SELECT g FROM unnest(c.search_grams) AS g
          UNION
         SELECT substr(d.digits, i, l)
           FROM (SELECT regexp_replace(c.phone, '[^0-9]', '', 'g') AS digits) d,
                generate_series(1, length(d.digits)) AS i,
                generate_series(1, 3) AS l
          WHERE i + l - 1 <= length(d.digits)
          ORDER BY 1)
 WHERE c.phone ~ '[0-9]' AND c.phone ~ '[^0-9]';
