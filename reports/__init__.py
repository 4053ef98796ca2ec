"""Reports on the books: the participants' page in Fava, statements."""
