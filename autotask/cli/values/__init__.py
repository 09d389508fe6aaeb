"""Values from the command line: ENTITY arguments (``entityref``), the CONDITION grammar
(``conditions``), and text typed by an entity's field metadata (``fieldtypes``)."""
