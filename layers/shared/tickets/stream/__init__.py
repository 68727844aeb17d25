"""The table's stream: records to the automation that reacts to them."""
