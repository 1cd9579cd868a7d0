// placeholder: replaced as shared/src grows
