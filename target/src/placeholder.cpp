// placeholder: replaced as target/src grows
