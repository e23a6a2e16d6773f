DROP TABLE drugs;
DROP TABLE container_units;
DROP TABLE drug_categories;
