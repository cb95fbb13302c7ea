"""What people can do: each card verb and chat command declared once with its permission, typed input and handler."""
