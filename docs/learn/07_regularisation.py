# %% [markdown]
# # 07_regularisation

# %%
print(1)
