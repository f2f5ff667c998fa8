print("eqx")
