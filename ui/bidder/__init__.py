"""The bidder workspace: fetch a tender, fill the forms, link the criteria, seal, submit, keep the receipt."""
