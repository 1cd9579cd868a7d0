// placeholder: replaced as controller/src grows
