# %% [markdown]
# # 02_perceptron_and_xor

# %%
print(1)
