// placeholder: replaced as agent/src grows
